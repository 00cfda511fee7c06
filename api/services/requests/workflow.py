"""The steps of a request (登记, 分办, 补正, 征求意见, 延期, 送审, 归档, 撤回): ``TRANSITIONS`` is the one
table of legal moves (status → action → next status); each verb checks its move there."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api import clock
from api.auth.actor import Actor
from api.codes import RequestsCode
from api.errors import UserInputError
from api.models import (
    ArchiveCounter,
    EventKind,
    InfoRequest,
    NoticeKind,
    Organization,
    ReplyReason,
    ReplyType,
    RequestEvent,
    RequestStatus,
)
from api.workdays import add_working_days

from ..serials import next_serial
from . import notices
from .common import _dated, _event, _load, _org_path, _recompute, _save, chinese_date, overrides, request_rules

STATUS_NAMES = {
    RequestStatus.RECEIVED: "已签收", RequestStatus.REGISTERED: "已登记", RequestStatus.ASSIGNED: "已分办",
    RequestStatus.AWAITING_CORRECTION: "待补正", RequestStatus.AWAITING_PAYMENT: "待缴费", RequestStatus.CONSULTING: "会商中", RequestStatus.THIRD_PARTY: "征求第三方意见中",
    RequestStatus.IN_REVIEW: "审核中", RequestStatus.REPLIED: "已答复", RequestStatus.ARCHIVED: "已归档",
    RequestStatus.WITHDRAWN: "已撤回", RequestStatus.CLOSED: "已终止",
}  # fmt: skip
WORKING = (RequestStatus.REGISTERED, RequestStatus.ASSIGNED)

# The legal moves, one table: status → action → next status. STAY: the status does not change
# (延期); BACK: back to the status before the pause (补正, 征求意见), which the pause's event records.
# A reply goes through 审核 (IN_REVIEW): there is no reply from a working status.
STAY, BACK = "stay", "back"
ACTION_NAMES = {
    "register": "登记", "assign": "分办", "request_correction": "要求补正", "record_correction": "登记补正",
    "correction_lapsed": "按逾期不补正处理", "consult": "开始征求意见", "consult_third_party": "开始征求意见",
    "end_consultation": "结束征求意见", "extend": "延期", "send_for_review": "送审", "reply": "答复",
    "archive": "归档", "withdraw": "撤回", "notify_fee": "发出收费通知", "record_payment": "登记缴费",
    "fee_lapsed": "按逾期未缴费处理",
}  # fmt: skip
_S = RequestStatus
_WORKING_MOVES: dict[str, RequestStatus | str] = {
    "assign": _S.ASSIGNED, "request_correction": _S.AWAITING_CORRECTION, "consult": _S.CONSULTING,
    "consult_third_party": _S.THIRD_PARTY, "extend": STAY, "send_for_review": _S.IN_REVIEW, "withdraw": _S.WITHDRAWN,
    "notify_fee": _S.AWAITING_PAYMENT,
}  # fmt: skip
TRANSITIONS: dict[RequestStatus, dict[str, RequestStatus | str]] = {
    _S.RECEIVED: {
        "register": _S.REGISTERED, "assign": _S.ASSIGNED, "request_correction": _S.AWAITING_CORRECTION,
        "withdraw": _S.WITHDRAWN,
    },
    _S.REGISTERED: _WORKING_MOVES,
    _S.ASSIGNED: _WORKING_MOVES,
    _S.AWAITING_CORRECTION: {"record_correction": BACK, "correction_lapsed": _S.CLOSED, "withdraw": _S.WITHDRAWN},
    _S.AWAITING_PAYMENT: {"record_payment": BACK, "fee_lapsed": _S.CLOSED, "withdraw": _S.WITHDRAWN},
    _S.CONSULTING: {"end_consultation": BACK, "extend": STAY, "withdraw": _S.WITHDRAWN},
    _S.THIRD_PARTY: {"end_consultation": BACK, "extend": STAY, "withdraw": _S.WITHDRAWN},
    _S.IN_REVIEW: {"extend": STAY, "reply": _S.REPLIED, "withdraw": _S.WITHDRAWN},
    _S.REPLIED: {"archive": _S.ARCHIVED},
    _S.CLOSED: {"archive": _S.ARCHIVED},
    _S.WITHDRAWN: {"archive": _S.ARCHIVED},
    _S.ARCHIVED: {},
}  # fmt: skip


def _require(request: InfoRequest, action: str) -> None:
    """The action must be a legal move from the request's status (``TRANSITIONS``)."""
    if action not in TRANSITIONS[request.status]:
        raise UserInputError(
            "id",
            RequestsCode.ILLEGAL_TRANSITION,
            f"申请当前状态为{STATUS_NAMES[request.status]}，不能{ACTION_NAMES[action]}",
        )


def _target(request: InfoRequest, action: str) -> RequestStatus:
    """The status the action leads to from the request's status."""
    to = TRANSITIONS[request.status][action]
    assert isinstance(to, RequestStatus), (request.status, action, to)
    return to


# Every step takes the date it took effect (``on_date``, default today: ``_dated``); the event
# log keeps it beside the time it was entered (``RequestEvent.created_at``).


async def register(
    session: AsyncSession, actor: Actor, *, request_id: int, version: int, on_date: date | None = None
) -> InfoRequest:
    r = await _load(session, actor, request_id, version)
    _require(r, "register")
    on = await _dated(session, r, on_date)
    r.status = _target(r, "register")
    _event(session, actor, r, EventKind.REGISTERED, on)
    return await _save(session, actor, r, "register", "登记")


async def assign(
    session: AsyncSession, actor: Actor, *, request_id: int, version: int, organization_id: int,
    on_date: date | None = None,
) -> InfoRequest:  # fmt: skip
    """分办: the e-government office forwards a request to the organization that will handle it."""
    r = await _load(session, actor, request_id, version)
    _require(r, "assign")
    on = await _dated(session, r, on_date)
    org, path = await _org_path(session, organization_id, "organizationId")
    actor.require("request", "handle", path)
    r.handling_org_id, r.scope_path, r.status = org.id, path, _target(r, "assign")
    _event(session, actor, r, EventKind.ASSIGNED, on, f"分办至{org.name}", organization_id=org.id)
    return await _save(session, actor, r, "assign", f"分办至{org.name}")


async def request_correction(
    session: AsyncSession, actor: Actor, *, request_id: int, version: int, note: str, on_date: date | None = None
) -> InfoRequest:
    """Art. 30: one notice (一次性告知), within 7 working days of receipt."""
    r = await _load(session, actor, request_id, version)
    _require(r, "request_correction")
    if not (note or "").strip():
        raise UserInputError("note", RequestsCode.REQUIRED, "请写明需要补正的事项和补正期限")
    if await _last_event(session, r, EventKind.CORRECTION_REQUESTED) is not None:
        raise UserInputError(
            "id", RequestsCode.ALREADY_NOTIFIED, "补正应一次性告知：本申请已发过补正告知，不能再次要求补正"
        )
    on = await _dated(session, r, on_date)
    latest = clock.correction_notice_due(r.received_on, await overrides(session))
    if on > latest:
        raise UserInputError(
            "onDate",
            RequestsCode.CORRECTION_TOO_LATE,
            f"补正告知应在收到申请后7个工作日内（{chinese_date(latest)}前）一次性发出，已逾期",
        )
    period = (await request_rules(session)).correction_working_days
    r.correction_due_on = add_working_days(on, period, await overrides(session))[0]
    previous = r.status
    r.status = _target(r, "request_correction")
    notice = await notices.issue(
        session, actor, r, NoticeKind.CORRECTION, on,
        {"items": note.strip(), "correct_by": chinese_date(r.correction_due_on)},
    )  # fmt: skip
    _event(
        session, actor, r, EventKind.CORRECTION_REQUESTED, on, note.strip(), previous=previous.value,
        correct_by=r.correction_due_on.isoformat(), notice=notice.doc_no,
    )  # fmt: skip
    return await _save(session, actor, r, "request_correction", "告知补正")


async def record_correction(
    session: AsyncSession, actor: Actor, *, request_id: int, version: int, on_date: date | None = None
) -> InfoRequest:
    """Art. 30: the reply period runs from the day the corrected request arrives."""
    r = await _load(session, actor, request_id, version)
    _require(r, "record_correction")
    on = await _dated(session, r, on_date)  # on or after the notice: the step it follows
    last = await _last_event(session, r, EventKind.CORRECTION_REQUESTED)
    r.status = RequestStatus(str(last.data.get("previous"))) if last else RequestStatus.REGISTERED
    r.clock_start = on
    _event(session, actor, r, EventKind.CORRECTED, on, "收到补正后的申请，答复期限重新计算")
    await session.flush()
    await _recompute(session, r)
    return await _save(session, actor, r, "record_correction", f"收到补正，答复期限至{chinese_date(r.due_on)}")


async def _last_event(session: AsyncSession, r: InfoRequest, kind: EventKind) -> RequestEvent | None:
    stmt = (
        select(RequestEvent)
        .where(RequestEvent.request_id == r.id, RequestEvent.kind == kind)
        .order_by(RequestEvent.id.desc())
    )
    return (await session.execute(stmt)).scalars().first()


async def correction_lapsed(
    session: AsyncSession, actor: Actor, *, request_id: int, version: int, on_date: date | None = None
) -> InfoRequest:
    """Art. 30: 申请人无正当理由逾期不补正的，视为放弃申请: once the office's correction period
    (``RequestRules``, from the notice) has passed."""
    r = await _load(session, actor, request_id, version)
    _require(r, "correction_lapsed")
    on = await _dated(session, r, on_date)
    if r.correction_due_on is not None and on <= r.correction_due_on:
        raise UserInputError(
            "onDate", RequestsCode.TOO_EARLY,
            f"补正期限至{chinese_date(r.correction_due_on)}，期满后方可按逾期不补正处理",
        )  # fmt: skip
    r.status = _target(r, "correction_lapsed")
    r.reply_type, r.reply_reason, r.replied_on = ReplyType.OTHER, ReplyReason.CORRECTION_LAPSED, on
    _event(session, actor, r, EventKind.CORRECTION_LAPSED, on, "申请人逾期不补正，视为放弃申请")
    return await _save(session, actor, r, "correction_lapsed", "逾期不补正")


async def start_consultation(
    session: AsyncSession, actor: Actor, *, request_id: int, version: int, third_party: bool, note: str = "",
    on_date: date | None = None, third_party_name: str = "",
) -> InfoRequest:  # fmt: skip
    """会商 (Art. 34), or a third party's opinion asked in writing (Art. 32: the 征求第三方意见函,
    answered within 15 working days of receipt)."""
    r = await _load(session, actor, request_id, version)
    action, kind = (
        ("consult_third_party", EventKind.THIRD_PARTY_STARTED) if third_party
        else ("consult", EventKind.CONSULTATION_STARTED)
    )  # fmt: skip
    _require(r, action)
    on = await _dated(session, r, on_date)
    name = (third_party_name or "").strip()
    if third_party and not name:
        raise UserInputError("thirdPartyName", RequestsCode.REQUIRED, "请填写征求意见的第三方名称（意见函的收件人）")
    if len(name) > 200:
        raise UserInputError("thirdPartyName", RequestsCode.TOO_LONG, "第三方名称不能超过200字")
    previous = r.status
    r.status = _target(r, action)
    data: dict[str, object] = {"previous": previous.value}
    if third_party:
        by = add_working_days(on, clock.THIRD_PARTY_WORKING_DAYS, await overrides(session))[0]
        letter = await notices.issue(
            session, actor, r, NoticeKind.THIRD_PARTY, on, {"addressee": name, "note": note, "opinion_by": chinese_date(by)},
            addressee=name,
        )  # fmt: skip
        data |= {"third_party": name, "notice": letter.doc_no}
    _event(session, actor, r, kind, on, note, **data)
    await session.flush()
    await _recompute(session, r)  # a third party's 15 working days count at once (Art. 32)
    return await _save(session, actor, r, "consultation_start", "征求第三方意见" if third_party else "会商")


async def end_consultation(
    session: AsyncSession, actor: Actor, *, request_id: int, version: int, note: str = "", on_date: date | None = None
) -> InfoRequest:
    r = await _load(session, actor, request_id, version)
    _require(r, "end_consultation")
    started = (
        await session.execute(
            select(RequestEvent).where(
                RequestEvent.request_id == r.id,
                RequestEvent.kind.in_([EventKind.CONSULTATION_STARTED, EventKind.THIRD_PARTY_STARTED]),
            ).order_by(RequestEvent.id.desc())
        )
    ).scalars().first()  # fmt: skip
    assert started is not None
    on = await _dated(session, r, on_date)
    if on < started.on_date:
        raise UserInputError("onDate", RequestsCode.BEFORE_START, "结束日期不能早于开始日期")
    kind = EventKind.THIRD_PARTY_ENDED if r.status is RequestStatus.THIRD_PARTY else EventKind.CONSULTATION_ENDED
    r.status = RequestStatus(str(started.data.get("previous", RequestStatus.ASSIGNED.value)))
    _event(session, actor, r, kind, on, note)
    await session.flush()
    await _recompute(session, r)
    return await _save(session, actor, r, "consultation_end", f"意见已收回，答复期限至{chinese_date(r.due_on)}")


async def extend(
    session: AsyncSession, actor: Actor, *, request_id: int, version: int, days: int, reason: str, approver: str,
    on_date: date | None = None,
) -> InfoRequest:  # fmt: skip
    """Art. 33: one extension of at most 20 working days, approved, the applicant informed, and
    within the reply period (需要延长答复期限的: decided before the period runs out)."""
    r = await _load(session, actor, request_id, version)
    _require(r, "extend")
    if r.extension_days:
        raise UserInputError("days", RequestsCode.ALREADY_EXTENDED, "答复期限只能延长一次")
    if not 1 <= days <= clock.MAX_EXTENSION:
        raise UserInputError("days", RequestsCode.TOO_LONG, "延长的期限最长不得超过20个工作日")
    if not (reason or "").strip():
        raise UserInputError("reason", RequestsCode.REQUIRED, "延期须说明理由")
    if not (approver or "").strip():
        raise UserInputError("approver", RequestsCode.REQUIRED, "延期须经政府信息公开工作机构负责人同意，请填写同意人")
    on = await _dated(session, r, on_date)
    if on > r.due_on:
        raise UserInputError(
            "onDate", RequestsCode.TOO_LATE, f"延期应在答复期限（{chinese_date(r.due_on)}）届满前决定，已超过期限"
        )
    r.extension_days = days
    _event(
        session, actor, r, EventKind.EXTENDED, on, reason.strip(), days=days, approver=approver.strip(),
        applicant_informed=True,
    )  # fmt: skip
    await session.flush()
    await _recompute(session, r)
    await notices.issue(
        session, actor, r, NoticeKind.EXTENSION, on,
        {"reason": reason.strip(), "days": str(days), "due_on": chinese_date(r.due_on)},
    )  # fmt: skip
    return await _save(session, actor, r, "extend", f"延期{days}个工作日（{approver.strip()}同意），已告知申请人")


async def send_for_review(
    session: AsyncSession, actor: Actor, *, request_id: int, version: int, on_date: date | None = None
) -> InfoRequest:
    """审核: the officer who drafted the reply sends it for sign-off (``replies.reply`` is the
    sign-off, by somebody else)."""
    r = await _load(session, actor, request_id, version)
    _require(r, "send_for_review")
    on = await _dated(session, r, on_date)
    r.status = _target(r, "send_for_review")
    _event(session, actor, r, EventKind.IN_REVIEW, on, "送负责人审签", drafted_by=actor.user_id)
    return await _save(session, actor, r, "review", "送审")


def short_code(org: Organization) -> str:
    return (org.short_name or f"ORG{org.id}").strip()


async def archive(
    session: AsyncSession, actor: Actor, *, request_id: int, version: int, on_date: date | None = None
) -> InfoRequest:
    """归档 with a number {short code}-{year}-{4-digit serial}, unique per organization and year."""
    r = await _load(session, actor, request_id, version)
    _require(r, "archive")
    on = await _dated(session, r, on_date)
    org = await session.get(Organization, r.handling_org_id)
    assert org is not None
    year = on.year
    serial = await next_serial(session, ArchiveCounter, org.id, year)
    r.archive_no = f"{short_code(org)}-{year}-{serial:04d}"
    r.status = _target(r, "archive")
    _event(session, actor, r, EventKind.ARCHIVED, on, r.archive_no)
    return await _save(session, actor, r, "archive", f"归档 {r.archive_no}")


async def withdraw(
    session: AsyncSession, actor: Actor, *, request_id: int, version: int, note: str = "", on_date: date | None = None
) -> InfoRequest:
    r = await _load(session, actor, request_id, version)
    _require(r, "withdraw")
    on = await _dated(session, r, on_date)
    r.status = _target(r, "withdraw")
    _event(session, actor, r, EventKind.WITHDRAWN, on, note or "申请人撤回申请")
    return await _save(session, actor, r, "withdraw", "申请人撤回")
