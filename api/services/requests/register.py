"""The request register (依申请公开台账): one row per request received in a period, for the office's
books and its export. It names no applicant: channel and applicant type only, never a name, an
ID number or a contact."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api import workdays
from api.auth.actor import Actor
from api.auth.scope import below, unit_path
from api.codes import ReportsCode, RequestsCode
from api.errors import UserInputError
from api.models import Appeal, AppealKind, ApplicantType, Channel, EventKind, InfoRequest, ReplyType, RequestEvent

from ..reports.export import (
    MARKDOWN,
    XLSX,
    ExportFile,
    exporter,
    header,
    markdown_table,
    new_sheet,
    render,
    require_param,
    rows,
    save,
    title_row,
    widths,
)
from .common import chinese_date, overrides
from .queries import current_due

MAX_DAYS = 366  # one register covers at most a year
MAX_ROWS = 10_000  # rows of an export
QUERY_ROWS = 1_000  # rows of infoRequestRegister (schema/cost.py bounds it so); more by the export


@dataclass(frozen=True)
class RegisterRow:
    request_id: int
    tracking_code: str
    channel: Channel
    applicant_type: ApplicantType
    received_on: date
    steps: list[tuple[EventKind, date]]
    due_on: date
    replied_on: date | None
    days_taken: int | None  # working days from day zero (or the corrected request) to the reply
    reply_type: ReplyType | None
    appeals: list[AppealKind]


def _period(start: date, end: date) -> None:
    if end < start:
        raise UserInputError("to", RequestsCode.BEFORE_START, "结束日期不能早于开始日期")
    if end - start > timedelta(days=MAX_DAYS):
        raise UserInputError("to", RequestsCode.TOO_LONG, f"一次最多导出{MAX_DAYS}天的台账，请缩短日期范围")


async def request_register(
    session: AsyncSession, actor: Actor, *, unit_code: str, start: date, end: date, max_rows: int = MAX_ROWS
) -> list[RegisterRow]:
    """Requests received from ``start`` to ``end`` (inclusive) by the unit's organizations and those
    below, as far as the actor may read requests there; oldest first; three statements."""
    path = unit_path(unit_code)
    actor.require("request", "read", path)
    _period(start, end)
    stmt = (
        select(InfoRequest)
        .where(
            below(InfoRequest.scope_path, path), actor.visible(InfoRequest.scope_path, "request", "read"),
            InfoRequest.received_on >= start, InfoRequest.received_on <= end,
        )
        .order_by(InfoRequest.received_on, InfoRequest.id)
        .limit(max_rows + 1)
    )  # fmt: skip
    found = list((await session.execute(stmt)).scalars())
    if len(found) > max_rows:
        more = "，或用导出（/exports/request-register）" if max_rows < MAX_ROWS else ""
        raise UserInputError("to", RequestsCode.TOO_LONG, f"该期间的申请超过{max_rows}件，请缩短日期范围{more}")
    ids = [r.id for r in found]
    logs: dict[int, list[RequestEvent]] = defaultdict(list)
    appeals: dict[int, list[AppealKind]] = defaultdict(list)
    if ids:
        events = select(RequestEvent).where(RequestEvent.request_id.in_(ids)).order_by(RequestEvent.id)
        for e in (await session.execute(events)).scalars():
            logs[e.request_id].append(e)
        for a in (
            await session.execute(select(Appeal).where(Appeal.request_id.in_(ids)).order_by(Appeal.id))
        ).scalars():
            appeals[a.request_id].append(a.kind)
    ovr = await overrides(session)
    return [
        RegisterRow(
            request_id=r.id,
            tracking_code=r.tracking_code,
            channel=r.channel,
            applicant_type=r.applicant_type,
            received_on=r.received_on,
            steps=[(e.kind, e.on_date) for e in logs[r.id]],
            due_on=current_due(r, logs[r.id], ovr),  # as the request's dueOn field shows it
            replied_on=r.replied_on,
            days_taken=_taken(r, ovr),
            reply_type=r.reply_type,
            appeals=appeals[r.id],
        )  # fmt: skip
        for r in found
    ]


def _taken(r: InfoRequest, ovr: workdays.Overrides) -> int | None:
    if r.replied_on is None:
        return None
    return workdays.working_days_between(r.clock_start + timedelta(days=1), r.replied_on, ovr)


STEP_NAMES = {
    EventKind.RECEIVED: "签收", EventKind.REGISTERED: "登记", EventKind.ASSIGNED: "分办",
    EventKind.CORRECTION_REQUESTED: "告知补正", EventKind.CORRECTED: "收到补正", EventKind.CORRECTION_LAPSED: "逾期不补正",
    EventKind.CONSULTATION_STARTED: "会商", EventKind.CONSULTATION_ENDED: "会商结束",
    EventKind.THIRD_PARTY_STARTED: "征求第三方意见", EventKind.THIRD_PARTY_ENDED: "第三方意见收回",
    EventKind.EXTENDED: "延期", EventKind.IN_REVIEW: "送审", EventKind.REPLIED: "答复", EventKind.ARCHIVED: "归档",
    EventKind.WITHDRAWN: "撤回", EventKind.FEE_NOTIFIED: "收费通知", EventKind.FEE_PAID: "缴费",
    EventKind.FEE_LAPSED: "逾期未缴费",
}  # fmt: skip
HEAD = [
    "受理编号",
    "渠道",
    "申请人类型",
    "收到日期",
    "办理步骤",
    "答复期限",
    "答复日期",
    "用时（工作日）",
    "答复类型",
    "复议诉讼",
]


def _cells(row: RegisterRow) -> list[object]:
    steps = "；".join(f"{STEP_NAMES.get(kind, kind.value)} {day.isoformat()}" for kind, day in row.steps)
    return [
        row.tracking_code, row.channel.value, row.applicant_type.value, row.received_on.isoformat(), steps,
        row.due_on.isoformat(), row.replied_on.isoformat() if row.replied_on else "",
        "" if row.days_taken is None else row.days_taken, row.reply_type.value if row.reply_type else "",
        "、".join(k.value for k in row.appeals),
    ]  # fmt: skip


def _xlsx(table: list[RegisterRow], title: str) -> bytes:
    book, sheet = new_sheet("依申请公开台账")
    title_row(sheet, title, len(HEAD))
    header(sheet, 2, HEAD)
    rows(sheet, 3, [_cells(r) for r in table])
    widths(sheet, [16, 10, 16, 12, 60, 12, 12, 12, 14, 16])
    return save(book)


def _date_param(params: Mapping[str, str], key: str) -> date:
    try:
        return date.fromisoformat(require_param(params, key))
    except ValueError as exc:
        raise UserInputError(key, ReportsCode.INVALID, f"参数 {key} 应为日期，如 2026-01-01") from exc


@exporter("request-register")
async def export_register(session: AsyncSession, actor: Actor, params: Mapping[str, str], fmt: str) -> ExportFile:
    start, end = _date_param(params, "from"), _date_param(params, "to")
    table = await request_register(session, actor, unit_code=require_param(params, "unitCode"), start=start, end=end)
    title = f"依申请公开台账（{chinese_date(start)}至{chinese_date(end)}）"
    name = f"依申请公开台账-{params['unitCode']}-{start.isoformat()}-{end.isoformat()}"
    if fmt == "md":
        text = "\n".join([f"# {title}", "", *markdown_table(HEAD, [_cells(r) for r in table])])
        return ExportFile(f"{name}.md", text.encode("utf-8"), MARKDOWN)
    return ExportFile(f"{name}.xlsx", await render(_xlsx, table, title), XLSX)
