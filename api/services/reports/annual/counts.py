"""Tables 3 and 4, counted from the requests and the appeals in the scope."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.scope import within
from api.models import (
    Appeal,
    EventKind,
    InfoRequest,
    ReplyReason,
    ReplyType,
    RequestEvent,
)
from api.models.requests import OPEN_STATUSES

from .access import instant
from .form import (
    APPEAL_GROUPS,
    APPLICANTS,
    COLUMNS,
    FORM_REASONS,
    HEADINGS,
    LEGAL_PERSONS,
    OUTCOMES,
    ROW_CARRIED,
    ROW_FORWARD,
    ROW_NEW,
    ROW_RESULTS,
    ROW_TOTAL,
    TABLE3_NOTE,
    TABLE4_COLUMNS,
    TYPE_LABELS,
    AppealGroup,
    ColumnGroup,
    Table3,
    Table3Row,
    Table4,
)

# --- table 3 ---


def _requests_by_bucket(path: str, year: int) -> Select[Any]:
    """One row per (applicant type, reply type, reason, 一 or 二, 三 or 四) with its count."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    withdrawn = (
        select(RequestEvent.request_id.label("request_id"), func.max(RequestEvent.on_date).label("on_date"))
        .where(RequestEvent.kind == EventKind.WITHDRAWN)
        .group_by(RequestEvent.request_id)
        .subquery()
    )
    ended = case(
        (
            InfoRequest.status.not_in(OPEN_STATUSES),
            func.coalesce(InfoRequest.replied_on, withdrawn.c.on_date, InfoRequest.received_on),
        ),
        else_=None,
    )
    per_request = (
        select(
            InfoRequest.applicant_type.label("applicant_type"),
            InfoRequest.reply_type.label("reply_type"),
            InfoRequest.reply_reason.label("reply_reason"),
            case((InfoRequest.received_on >= start, "new"), else_="carried").label("arrived"),
            case((ended <= end, "done"), else_="forward").label("outcome"),
        )
        .outerjoin(withdrawn, withdrawn.c.request_id == InfoRequest.id)
        .where(
            within(InfoRequest.scope_path, [path]), InfoRequest.received_on <= end, or_(ended.is_(None), ended >= start)
        )
        .subquery()
    )
    # Grouping on the subquery's columns: PostgreSQL does not match a CASE with bound parameters
    # in GROUP BY against the same CASE in the select list.
    c = per_request.c
    return select(c.applicant_type, c.reply_type, c.reply_reason, c.arrived, c.outcome, func.count()).group_by(
        c.applicant_type, c.reply_type, c.reply_reason, c.arrived, c.outcome
    )


def _zeros() -> list[int]:
    return [0] * len(APPLICANTS)


def _with_total(values: list[int]) -> list[int]:
    return [*values, sum(values)]


async def table3(session: AsyncSession, path: str, year: int) -> Table3:
    new, carried, forward = _zeros(), _zeros(), _zeros()
    by_type = {t: _zeros() for t in ReplyType}
    by_reason = {(t, r): _zeros() for t, reasons in FORM_REASONS.items() for r in reasons}
    for applicant, reply_type, reason, arrived, outcome, count in (
        await session.execute(_requests_by_bucket(path, year))
    ).all():
        i = APPLICANTS.index(applicant)
        (new if arrived == "new" else carried)[i] += count
        if outcome == "forward":
            forward[i] += count
            continue
        if reply_type is None:  # withdrawn
            reply_type, reason = ReplyType.OTHER, ReplyReason.OTHER
        by_type[reply_type][i] += count
        if (reply_type, reason) in by_reason:
            by_reason[(reply_type, reason)][i] += count

    table_rows = [
        Table3Row("new", ROW_NEW, 0, _with_total(new)),
        Table3Row("carried", ROW_CARRIED, 0, _with_total(carried)),
        Table3Row("results", ROW_RESULTS, 0, []),
    ]
    for reply_type, reasons in FORM_REASONS.items():
        table_rows.append(
            Table3Row(
                reply_type.value,
                TYPE_LABELS[reply_type],
                1,
                _with_total(by_type[reply_type]),
                bool(reasons),
                reply_type,
            )
        )
        for n, reason in enumerate(reasons, start=1):
            table_rows.append(
                Table3Row(f"{reply_type.value}.{reason.name}", f"{n}.{reason.value}", 2,
                          _with_total(by_reason[(reply_type, reason)]), False, reply_type, reason)
            )  # fmt: skip
    done = [sum(by_type[t][i] for t in ReplyType) for i in range(len(APPLICANTS))]
    table_rows.append(Table3Row("total", ROW_TOTAL, 1, _with_total(done)))
    table_rows.append(Table3Row("forward", ROW_FORWARD, 0, _with_total(forward)))
    return Table3(
        title=HEADINGS[2], note=TABLE3_NOTE,
        column_groups=[
            ColumnGroup(COLUMNS[0], [COLUMNS[0]]), ColumnGroup(LEGAL_PERSONS, list(COLUMNS[1:-1])),
            ColumnGroup(COLUMNS[-1], [COLUMNS[-1]]),
        ],
        columns=list(COLUMNS), rows=table_rows, mismatches=_mismatches(table_rows),
    )  # fmt: skip


def _mismatches(table_rows: list[Table3Row]) -> list[str]:
    values = {r.key: r.values for r in table_rows}
    found: list[str] = []
    for i, column in enumerate(COLUMNS):
        received = values["new"][i] + values["carried"][i]
        handled = values["total"][i] + values["forward"][i]
        if received != handled:
            found.append(f"{column}：一+二={received}，三+四={handled}")
    for reply_type, reasons in FORM_REASONS.items():
        if not reasons:
            continue
        for i, column in enumerate(COLUMNS):
            parts = sum(values[f"{reply_type.value}.{r.name}"][i] for r in reasons)
            whole = values[reply_type.value][i]
            if parts != whole:
                found.append(f"{column}：{TYPE_LABELS[reply_type]}各项之和={parts}，合计={whole}")
    return found


# --- table 4 ---


async def table4(session: AsyncSession, path: str, year: int) -> Table4:
    filed = or_(
        Appeal.filed_on.between(date(year, 1, 1), date(year, 12, 31)),
        and_(
            Appeal.filed_on.is_(None),
            Appeal.created_at >= instant(date(year, 1, 1)),
            Appeal.created_at < instant(date(year + 1, 1, 1)),
        ),
    )
    stmt = (
        select(Appeal.kind, Appeal.outcome, func.count())
        .join(InfoRequest, InfoRequest.id == Appeal.request_id)
        .where(within(InfoRequest.scope_path, [path]), filed)
        .group_by(Appeal.kind, Appeal.outcome)
    )
    counts = {(kind, outcome): int(n) for kind, outcome, n in (await session.execute(stmt)).all()}
    groups = []
    for kind, label, parent in APPEAL_GROUPS:
        values = [counts.get((kind, o), 0) for o in OUTCOMES]
        groups.append(AppealGroup(kind, label, parent, [*values, sum(values)]))
    return Table4(HEADINGS[3], list(TABLE4_COLUMNS), groups)
