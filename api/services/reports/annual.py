"""The annual report (政府信息公开工作年度报告, Regulations Arts. 49–50) in the format of
国办公开办函〔2021〕30号, for one organization or for every organization at or below a unit.

Decisions:

- Scope. ``organizationId`` gives the organization's scope path; ``unitCode`` the unit's, and
  everything at or below it counts (every organization of the unit and of its towns and
  villages). Exactly one of the two, else a UserInputError (a GraphQL error BAD_USER_INPUT).
  Reading needs ``report read`` at that path, writing ``report write``. Requests count for the
  organization handling them (their scope path), documents for their publisher.
- Sections 一, 五, 六 are text the office writes, one row per scope path, year and section. The
  first save carries version 0; a stale version is CONFLICT.
- Table 2. 规章 / 行政规范性文件: documents first published at some time whose current
  (published) version's 体裁分类 is exactly "规章" / "行政规范性文件". 本年制发 = first
  published in the year, whatever happened since. 本年废止 = the current version is REPEALED and
  the document's ``updated_at`` falls in the year: no repeal date is stored, so the document's
  last change stands for it. 现行有效 = published now (not retracted), current version VALID, and
  first published before the end of the year. A figure entered under the same key replaces the
  computed one (source ENTERED). 行政许可, 行政处罚, 行政强制 and 行政事业性收费 are not in the data:
  the figure entered for the report's own scope (ENTERED); for a unit without one, the sum of the
  figures entered for the organizations and units below it (SUMMED); else empty (MISSING).
  Figures carry no version: the last save wins.
- Table 3. A request *ends* on its reply date (``replied_on``, which 逾期不补正 closures set too);
  a withdrawn one on the day of its WITHDRAWN event; an ended request with neither on the day it
  was received. An open request has not ended. For year Y:
  一 = received in Y; 二 (上年结转) = received before 1 January Y and not ended before that day;
  三 = ended in Y; 四 (结转下年度) = received by 31 December Y and not ended by then.
  Withdrawn requests (and any ended request without a reply type) count under （六）其他处理 /
  3.其他 in the year they ended. Then 一 + 二 = 三（七）+ 四 per column unless a request ended
  before it was received; the report checks it, and checks that each reply type's reasons add
  up to the type, naming the failing cells.
- Table 4: appeals of requests in the scope filed in the year (``filed_on``, else the day the
  appeal was recorded, China time), by kind and outcome as now recorded.
- Cost: a fixed number of statements whatever the number of requests or organizations: the
  scope (one or two), texts, figures, documents, requests, appeals: each one grouped query.
- Figure keys are stored as lower-case strings (``permit_decisions``, ``fee_amount``, …) and
  shown to GraphQL as the enum AnnualReportFigureKey; section keys likewise (``overview``,
  ``problems``, ``other``). The enums live here, beside the rules that use them.
- Exports (``annual-report``): xlsx laid out like the paper form, or Markdown. Neither reads
  applicants' names nor ID numbers: the report never selects them.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font
from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from api.auth.actor import Actor
from api.auth.scope import ROOT, within
from api.errors import Conflict, Unauthenticated, UserInputError
from api.models import (
    AnnualReportFigure,
    AnnualReportText,
    Appeal,
    AppealKind,
    AppealOutcome,
    ApplicantType,
    Document,
    DocumentStatus,
    DocumentVersion,
    EventKind,
    InfoRequest,
    ReplyReason,
    ReplyType,
    RequestEvent,
    Validity,
)
from api.models.base import utcnow
from api.models.requests import OPEN_STATUSES, REASONS_BY_TYPE
from api.services import audit, units
from api.services.documents import CHINA
from api.services.requests import today

from .export import (
    BOX,
    CENTER,
    MARKDOWN,
    XLSX,
    ExportFile,
    exporter,
    header,
    new_sheet,
    require_param,
    rows,
    save,
    title_row,
    widths,
)

FIRST_YEAR = 2008  # the Regulations took effect on 1 May 2008
MAX_TEXT = 20000

HEADINGS = (
    "一、总体情况",
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
    "五、存在的主要问题及改进情况",
    "六、其他需要报告的事项",
)


class TextSection(enum.Enum):
    OVERVIEW = "overview"  # 一、总体情况
    PROBLEMS = "problems"  # 五、存在的主要问题及改进情况
    OTHER = "other"  # 六、其他需要报告的事项


SECTION_TITLES = {TextSection.OVERVIEW: HEADINGS[0], TextSection.PROBLEMS: HEADINGS[4], TextSection.OTHER: HEADINGS[5]}


class FigureKey(enum.Enum):
    RULES_ISSUED = "rules_issued"
    RULES_REPEALED = "rules_repealed"
    RULES_IN_FORCE = "rules_in_force"
    NORMATIVE_ISSUED = "normative_issued"
    NORMATIVE_REPEALED = "normative_repealed"
    NORMATIVE_IN_FORCE = "normative_in_force"
    PERMIT_DECISIONS = "permit_decisions"
    PENALTY_DECISIONS = "penalty_decisions"
    COERCION_DECISIONS = "coercion_decisions"
    FEE_AMOUNT = "fee_amount"  # 万元


class FigureSource(enum.Enum):
    COMPUTED = "COMPUTED"  # counted from the documents
    ENTERED = "ENTERED"  # entered for the report's own scope
    SUMMED = "SUMMED"  # the sum of figures entered for the organizations and units below
    MISSING = "MISSING"  # neither


GENRES = {"规章": "RULES", "行政规范性文件": "NORMATIVE"}
MONEY = (FigureKey.FEE_AMOUNT,)

# Table 2 as printed: (heading, column labels, [(row label, [keys])]).
TABLE2_LAYOUT: tuple[tuple[str, tuple[str, ...], tuple[tuple[str, tuple[FigureKey, ...]], ...]], ...] = (
    ("第二十条第（一）项", ("信息内容", "本年制发件数", "本年废止件数", "现行有效件数"), (
        ("规章", (FigureKey.RULES_ISSUED, FigureKey.RULES_REPEALED, FigureKey.RULES_IN_FORCE)),
        ("行政规范性文件", (FigureKey.NORMATIVE_ISSUED, FigureKey.NORMATIVE_REPEALED, FigureKey.NORMATIVE_IN_FORCE)),
    )),
    ("第二十条第（五）项", ("信息内容", "本年处理决定数量"), (("行政许可", (FigureKey.PERMIT_DECISIONS,)),)),
    ("第二十条第（六）项", ("信息内容", "本年处理决定数量"), (
        ("行政处罚", (FigureKey.PENALTY_DECISIONS,)), ("行政强制", (FigureKey.COERCION_DECISIONS,)),
    )),
    ("第二十条第（八）项", ("信息内容", "本年收费金额（单位：万元）"), (("行政事业性收费", (FigureKey.FEE_AMOUNT,)),)),
)  # fmt: skip
FIGURE_LABELS = {
    key: f"{row}：{columns[i + 1]}"
    for _heading, columns, table_rows in TABLE2_LAYOUT
    for row, keys in table_rows
    for i, key in enumerate(keys)
}

APPLICANT_LABELS = {
    ApplicantType.NATURAL_PERSON: "自然人", ApplicantType.COMMERCIAL_ENTERPRISE: "商业企业",
    ApplicantType.RESEARCH_INSTITUTION: "科研机构", ApplicantType.SOCIAL_WELFARE_ORG: "社会公益组织",
    ApplicantType.LEGAL_SERVICE_ORG: "法律服务机构", ApplicantType.OTHER_ORG: "其他",
}  # fmt: skip
APPLICANTS = tuple(ApplicantType)
COLUMNS = (*(APPLICANT_LABELS[a] for a in APPLICANTS), "总计")
LEGAL_PERSONS = "法人或其他组织"
TYPE_LABELS = {
    ReplyType.DISCLOSED: "（一）予以公开",
    ReplyType.PARTIALLY_DISCLOSED: "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
    ReplyType.NOT_DISCLOSED: "（三）不予公开",
    ReplyType.UNABLE: "（四）无法提供",
    ReplyType.NOT_PROCESSED: "（五）不予处理",
    ReplyType.OTHER: "（六）其他处理",
}
# The reasons under each reply type in the form's order: the form lists 逾期不补正 before 逾期未缴费.
FORM_REASONS: dict[ReplyType, tuple[ReplyReason, ...]] = {
    **REASONS_BY_TYPE,
    ReplyType.OTHER: (ReplyReason.CORRECTION_LAPSED, ReplyReason.FEE_UNPAID, ReplyReason.OTHER),
}
assert all(set(FORM_REASONS[t]) == set(REASONS_BY_TYPE[t]) for t in ReplyType)
ROW_NEW = "一、本年新收政府信息公开申请数量"
ROW_CARRIED = "二、上年结转政府信息公开申请数量"
ROW_RESULTS = "三、本年度办理结果"
ROW_TOTAL = "（七）总计"
ROW_FORWARD = "四、结转下年度继续办理"
TABLE3_NOTE = "本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和"

OUTCOMES = (AppealOutcome.UPHELD, AppealOutcome.CORRECTED, AppealOutcome.OTHER, AppealOutcome.PENDING)
TABLE4_COLUMNS = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")
APPEAL_GROUPS = (
    (AppealKind.ADMINISTRATIVE_REVIEW, "行政复议", None),
    (AppealKind.LITIGATION_DIRECT, "未经复议直接起诉", "行政诉讼"),
    (AppealKind.LITIGATION_AFTER_REVIEW, "复议后起诉", "行政诉讼"),
)


# --- the report ---


@dataclass
class Scope:
    path: str
    name: str
    organization_id: int | None
    unit_code: str | None


@dataclass
class Section:
    section: TextSection
    title: str
    text: str
    version: int  # 0 until first saved
    updated_at: datetime | None


@dataclass
class Cell:
    key: FigureKey
    label: str
    value: Decimal | None
    source: FigureSource


@dataclass
class Table2Row:
    label: str
    cells: list[Cell]


@dataclass
class Table2Block:
    heading: str
    columns: list[str]
    rows: list[Table2Row]


@dataclass
class Table2:
    title: str
    blocks: list[Table2Block]

    def cell(self, key: FigureKey) -> Cell:
        return next(c for b in self.blocks for r in b.rows for c in r.cells if c.key is key)


@dataclass
class Table3Row:
    key: str
    label: str
    level: int  # 0: 一 … 四; 1: （一）…（七）; 2: the numbered reasons
    values: list[int]  # one per column, 总计 last; empty for a heading without figures
    subtotal: bool = False  # a reply type with reasons: the form prints no figures on this line
    reply_type: ReplyType | None = None
    reply_reason: ReplyReason | None = None


@dataclass
class ColumnGroup:
    label: str
    columns: list[str]  # one column named like the group: it spans both header rows


@dataclass
class Table3:
    title: str
    note: str
    column_groups: list[ColumnGroup]
    columns: list[str]
    rows: list[Table3Row]
    mismatches: list[str]

    @property
    def reconciles(self) -> bool:
        return not self.mismatches

    def row(self, key: str) -> Table3Row:
        return next(r for r in self.rows if r.key == key)


@dataclass
class AppealGroup:
    kind: AppealKind
    label: str
    parent_label: str | None
    values: list[int]  # 维持, 纠正, 其他, 尚未审结, 总计


@dataclass
class Table4:
    title: str
    columns: list[str]
    groups: list[AppealGroup]


@dataclass
class AnnualReport:
    year: int
    scope: Scope
    overview: Section
    problems: Section
    other: Section
    table2: Table2
    table3: Table3
    table4: Table4

    @property
    def title(self) -> str:
        return f"{self.scope.name}{self.year}年政府信息公开工作年度报告"


def _signed_in(actor: Actor) -> None:
    """Anonymous callers learn nothing, not even whether a unit exists; the command line's
    system actor, signed in as nobody, may read everything."""
    if actor.user is None and not actor.can("report", "read", ROOT):
        raise Unauthenticated()


def check_year(year: int) -> None:
    if not FIRST_YEAR <= year <= today().year:
        raise UserInputError("year", "INVALID_YEAR", f"年度应在{FIRST_YEAR}年至{today().year}年之间")


async def resolve_scope(session: AsyncSession, *, organization_id: int | None, unit_code: str | None) -> Scope:
    code = (unit_code or "").strip() or None
    if (organization_id is None) == (code is None):
        raise UserInputError(
            "organizationId", "SCOPE_REQUIRED", "请指定单位（organizationId）或区划（unitCode），二者只能选其一"
        )
    if organization_id is not None:
        org = await units.get_organization(session, organization_id, "organizationId")
        return Scope(await units.organization_scope(session, org), org.name, org.id, None)
    assert code is not None
    unit = await units.get_unit(session, code, "unitCode")
    return Scope(unit.scope_path, unit.name, None, unit.code)


def _instant(day: date) -> datetime:
    """Midnight China time, in UTC: SQLite stores UTC wall-clock time and ignores the offset."""
    return datetime.combine(day, time.min, tzinfo=CHINA).astimezone(UTC)


async def annual_report(
    session: AsyncSession, actor: Actor, *, year: int, organization_id: int | None = None, unit_code: str | None = None
) -> AnnualReport:
    _signed_in(actor)
    check_year(year)
    scope = await resolve_scope(session, organization_id=organization_id, unit_code=unit_code)
    actor.require("report", "read", scope.path)
    texts = await _texts(session, scope.path, year)
    return AnnualReport(
        year=year, scope=scope, overview=texts[TextSection.OVERVIEW], problems=texts[TextSection.PROBLEMS],
        other=texts[TextSection.OTHER], table2=await table2(session, scope.path, year),
        table3=await table3(session, scope.path, year), table4=await table4(session, scope.path, year),
    )  # fmt: skip


# --- sections 一, 五, 六 ---


def _section(section: TextSection, row: AnnualReportText | None) -> Section:
    if row is None:
        return Section(section, SECTION_TITLES[section], "", 0, None)
    return Section(section, SECTION_TITLES[section], row.text, row.version, row.updated_at)


async def _texts(session: AsyncSession, path: str, year: int) -> dict[TextSection, Section]:
    stmt = select(AnnualReportText).where(AnnualReportText.scope_path == path, AnnualReportText.year == year)
    saved = {row.section: row for row in (await session.execute(stmt)).scalars()}
    return {s: _section(s, saved.get(s.value)) for s in TextSection}


async def save_text(
    session: AsyncSession, actor: Actor, *, year: int, organization_id: int | None, unit_code: str | None,
    section: TextSection, text: str, version: int,
) -> Section:  # fmt: skip
    _signed_in(actor)
    check_year(year)
    scope = await resolve_scope(session, organization_id=organization_id, unit_code=unit_code)
    actor.require("report", "write", scope.path)
    text = (text or "").strip()
    if len(text) > MAX_TEXT:
        raise UserInputError("text", "TOO_LONG", f"每部分不能超过{MAX_TEXT}字")
    stmt = select(AnnualReportText).where(
        AnnualReportText.scope_path == scope.path, AnnualReportText.year == year,
        AnnualReportText.section == section.value,
    )  # fmt: skip
    row = (await session.execute(stmt)).scalar_one_or_none()
    if version != (row.version if row else 0):
        raise Conflict()
    if row is None:
        row = AnnualReportText(scope_path=scope.path, year=year, section=section.value, text=text)
        session.add(row)
    row.text, row.updated_by_id, row.updated_at = text, actor.user_id, utcnow()
    try:
        await session.flush()
        summary = f"{scope.name}{year}年年度报告：保存“{SECTION_TITLES[section]}”（{len(text)}字）"
        audit.record(session, actor, "report.annual_text", "AnnualReportText", row.id, scope.path, summary)
        await session.commit()
    except (IntegrityError, StaleDataError) as exc:  # saved by somebody else meanwhile
        await session.rollback()
        raise Conflict() from exc
    return _section(section, row)


# --- table 2 ---


def _normalize(key: FigureKey, value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01") if key in MONEY else Decimal(1))


async def _computed_documents(session: AsyncSession, path: str, year: int) -> dict[FigureKey, Decimal]:
    y0, y1 = _instant(date(year, 1, 1)), _instant(date(year + 1, 1, 1))
    issued = and_(Document.first_published_at >= y0, Document.first_published_at < y1)
    repealed = and_(DocumentVersion.validity == Validity.REPEALED, Document.updated_at >= y0, Document.updated_at < y1)
    in_force = and_(
        Document.status == DocumentStatus.PUBLISHED, Document.retracted_at.is_(None),
        DocumentVersion.validity == Validity.VALID, Document.first_published_at < y1,
    )  # fmt: skip
    stmt = (
        select(
            DocumentVersion.genre,
            *(func.coalesce(func.sum(case((c, 1), else_=0)), 0) for c in (issued, repealed, in_force)),
        )
        .select_from(Document)
        .join(DocumentVersion, DocumentVersion.id == Document.current_version_id)
        .where(
            within(Document.scope_path, [path]),
            Document.first_published_at.is_not(None),
            DocumentVersion.genre.in_(list(GENRES)),
        )  # fmt: skip
        .group_by(DocumentVersion.genre)
    )
    counts = {
        FigureKey[f"{prefix}_{what}"]: Decimal(0)
        for prefix in GENRES.values()
        for what in ("ISSUED", "REPEALED", "IN_FORCE")
    }
    for genre, *values in (await session.execute(stmt)).all():
        for what, value in zip(("ISSUED", "REPEALED", "IN_FORCE"), values, strict=True):
            counts[FigureKey[f"{GENRES[genre]}_{what}"]] = Decimal(int(value))
    return counts


async def table2(session: AsyncSession, path: str, year: int) -> Table2:
    computed = await _computed_documents(session, path, year)
    stmt = select(AnnualReportFigure.key, AnnualReportFigure.scope_path, AnnualReportFigure.value).where(
        AnnualReportFigure.year == year, within(AnnualReportFigure.scope_path, [path])
    )
    own: dict[str, Decimal] = {}
    below: dict[str, Decimal] = {}
    for key, scope_path, value in (await session.execute(stmt)).all():
        if scope_path == path:
            own[key] = Decimal(value)
        else:
            below[key] = below.get(key, Decimal(0)) + Decimal(value)

    def cell(key: FigureKey, label: str) -> Cell:
        if key.value in own:
            return Cell(key, label, _normalize(key, own[key.value]), FigureSource.ENTERED)
        if key in computed:
            return Cell(key, label, computed[key], FigureSource.COMPUTED)
        if key.value in below:
            return Cell(key, label, _normalize(key, below[key.value]), FigureSource.SUMMED)
        return Cell(key, label, None, FigureSource.MISSING)

    blocks = [
        Table2Block(heading, list(columns), [
            Table2Row(label, [cell(k, columns[i + 1]) for i, k in enumerate(keys)]) for label, keys in table_rows
        ])
        for heading, columns, table_rows in TABLE2_LAYOUT
    ]  # fmt: skip
    return Table2(HEADINGS[1], blocks)


async def set_figure(
    session: AsyncSession, actor: Actor, *, year: int, organization_id: int | None, unit_code: str | None,
    key: FigureKey, value: Decimal | None,
) -> Table2:  # fmt: skip
    """Enter a figure of table 2 (None removes it: a computed figure comes back)."""
    _signed_in(actor)
    check_year(year)
    scope = await resolve_scope(session, organization_id=organization_id, unit_code=unit_code)
    actor.require("report", "write", scope.path)
    if value is not None:
        if not value.is_finite() or value < 0 or value >= Decimal("1e16"):
            raise UserInputError("value", "INVALID_VALUE", "数值应为不小于0的数")
        if value != _normalize(key, value):
            message = "金额以万元为单位，最多保留两位小数" if key in MONEY else "件数应为整数"
            raise UserInputError("value", "INVALID_VALUE", message)
    stmt = select(AnnualReportFigure).where(
        AnnualReportFigure.scope_path == scope.path, AnnualReportFigure.year == year,
        AnnualReportFigure.key == key.value,
    )  # fmt: skip
    row = (await session.execute(stmt)).scalar_one_or_none()
    if value is None:
        if row is not None:
            await session.delete(row)
            row = None
    else:
        if row is None:
            row = AnnualReportFigure(scope_path=scope.path, year=year, key=key.value, value=value)
            session.add(row)
        row.value, row.updated_by_id, row.updated_at = value, actor.user_id, utcnow()
    try:
        await session.flush()
        shown = "清除" if value is None else str(_normalize(key, value))
        summary = f"{scope.name}{year}年年度报告：{FIGURE_LABELS[key]} {shown}"
        target = row.id if row is not None else None
        audit.record(session, actor, "report.annual_figure", "AnnualReportFigure", target, scope.path, summary)
        await session.commit()
    except IntegrityError as exc:  # entered by somebody else meanwhile
        await session.rollback()
        raise Conflict() from exc
    return await table2(session, scope.path, year)


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
            Appeal.created_at >= _instant(date(year, 1, 1)),
            Appeal.created_at < _instant(date(year + 1, 1, 1)),
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


# --- exports ---


def _int_param(params: Mapping[str, str], key: str) -> int:
    text = require_param(params, key)
    try:
        return int(text)
    except ValueError as exc:
        raise UserInputError(key, "INVALID_NUMBER", f"参数 {key} 应为整数：{text}") from exc


@exporter("annual-report")
async def export_annual_report(session: AsyncSession, actor: Actor, params: Mapping[str, str], fmt: str) -> ExportFile:
    year = _int_param(params, "year")
    organization_id = _int_param(params, "organizationId") if params.get("organizationId") else None
    report = await annual_report(
        session, actor, year=year, organization_id=organization_id, unit_code=params.get("unitCode")
    )
    if fmt == "xlsx":
        return ExportFile(f"{report.title}.xlsx", to_xlsx(report), XLSX)
    if fmt == "md":
        return ExportFile(f"{report.title}.md", to_markdown(report).encode("utf-8"), MARKDOWN)
    raise UserInputError("format", "UNKNOWN_FORMAT", "年度报告可导出为 xlsx 或 md")


def _shown(value: Decimal | None) -> str:
    return "" if value is None else str(value)


def _md_row(cells: list[str]) -> str:
    return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"


def _md_table(head: list[str], body: list[list[str]]) -> list[str]:
    return [_md_row(head), _md_row(["---"] * len(head)), *(_md_row(line) for line in body), ""]


def to_markdown(report: AnnualReport) -> str:
    lines = [f"# {report.title}", ""]

    def text(section: Section) -> None:
        lines.extend([f"## {section.title}", "", section.text or "（未填写）", ""])

    text(report.overview)
    lines.extend([f"## {HEADINGS[1]}", ""])
    for block in report.table2.blocks:
        lines.extend([f"**{block.heading}**", ""])
        lines.extend(_md_table(block.columns, [[r.label, *(_shown(c.value) for c in r.cells)] for r in block.rows]))
    entered = [f"{FIGURE_LABELS[c.key]}" for b in report.table2.blocks for r in b.rows for c in r.cells if c.source is not FigureSource.COMPUTED and c.value is not None]  # fmt: skip
    if entered:
        lines.extend([f"注：以下数据为填报数：{'、'.join(entered)}；其余由系统根据已发布信息统计。", ""])

    t3 = report.table3
    lines.extend(
        [f"## {t3.title}", "", f"申请人情况：自然人；{LEGAL_PERSONS}（{'、'.join(t3.columns[1:-1])}）；总计。", ""]
    )
    body = [
        ["　" * r.level + r.label, *([] if r.subtotal else (str(v) for v in r.values))] for r in t3.rows
    ]  # fmt: skip
    body = [line + [""] * (len(t3.columns) + 1 - len(line)) for line in body]
    lines.extend(_md_table(["项目", *t3.columns], body))
    check = "核对无误" if t3.reconciles else "不符：" + "；".join(t3.mismatches)
    lines.extend([f"{t3.note}。{check}", ""])

    t4 = report.table4
    lines.extend([f"## {t4.title}", ""])
    rows4 = [[f"{g.parent_label}（{g.label}）" if g.parent_label else g.label, *map(str, g.values)] for g in t4.groups]
    lines.extend(_md_table(["类别", *t4.columns], rows4))

    text(report.problems)
    text(report.other)
    return "\n".join(lines)


def _merge(sheet: object, r1: int, c1: int, r2: int, c2: int) -> None:
    if (r1, c1) != (r2, c2):
        sheet.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)  # type: ignore[attr-defined]


def _boxed(sheet: object, r1: int, c1: int, r2: int, c2: int, value: object = None, bold: bool = False) -> None:
    """A (merged) cell with a border all round, like a ruled form."""
    for r in range(r1, r2 + 1):
        for c in range(c1, c2 + 1):
            sheet.cell(row=r, column=c).border = BOX  # type: ignore[attr-defined]
    cell = sheet.cell(row=r1, column=c1, value=value)  # type: ignore[attr-defined]
    cell.alignment = CENTER
    if bold:
        cell.font = Font(bold=True)
    _merge(sheet, r1, c1, r2, c2)


TABLE_SHEETS = {HEADINGS[1]: "二、主动公开", HEADINGS[2]: "三、依申请公开", HEADINGS[3]: "四、复议诉讼"}


def to_xlsx(report: AnnualReport) -> bytes:
    """The written sections on the first sheet, then a sheet per table."""
    book, first = new_sheet("年度报告")
    _text_sheet(first, report)
    _table2_sheet(book.create_sheet(TABLE_SHEETS[HEADINGS[1]]), report)
    _table3_sheet(book.create_sheet(TABLE_SHEETS[HEADINGS[2]]), report.table3)
    _table4_sheet(book.create_sheet(TABLE_SHEETS[HEADINGS[3]]), report.table4)
    return save(book)


def _text_sheet(sheet: object, report: AnnualReport) -> None:
    title_row(sheet, report.title, 8)
    r = 3
    for heading in HEADINGS:
        cell = sheet.cell(row=r, column=1, value=heading)  # type: ignore[attr-defined]
        cell.font = Font(bold=True)
        section = {HEADINGS[0]: report.overview, HEADINGS[4]: report.problems, HEADINGS[5]: report.other}.get(heading)
        body = (section.text or "（未填写）") if section else f"见工作表“{TABLE_SHEETS[heading]}”。"
        _merge(sheet, r + 1, 1, r + 1, 8)
        cell = sheet.cell(row=r + 1, column=1, value=body)  # type: ignore[attr-defined]
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.row_dimensions[r + 1].height = max(20, 15 * (1 + len(body) // 60 + body.count("\n")))  # type: ignore[attr-defined]
        r += 3
    widths(sheet, [14] * 8)


def _table2_sheet(sheet: object, report: AnnualReport) -> None:
    title_row(sheet, HEADINGS[1], 4)
    r = 2
    for block in report.table2.blocks:
        _boxed(sheet, r, 1, r, 4, block.heading, bold=True)
        r += 1
        if len(block.columns) == 4:
            header(sheet, r, block.columns)
        else:  # one figure column, as wide as the three above it
            header(sheet, r, block.columns[:1])
            _boxed(sheet, r, 2, r, 4, block.columns[1], bold=True)
        r += 1
        for line in block.rows:
            _boxed(sheet, r, 1, r, 1, line.label)
            span = 3 // len(line.cells)
            for i, c in enumerate(line.cells):
                col = 2 + i * span
                _boxed(
                    sheet,
                    r,
                    col,
                    r,
                    col + span - 1,
                    None if c.value is None else float(c.value) if c.key in MONEY else int(c.value),
                )
                if c.source is not FigureSource.COMPUTED:
                    note = {
                        FigureSource.ENTERED: "填报数",
                        FigureSource.SUMMED: "下级填报数之和",
                        FigureSource.MISSING: "未填报",
                    }[c.source]
                    sheet.cell(row=r, column=col).comment = Comment(note, "gongkai")  # type: ignore[attr-defined]
            r += 1
    widths(sheet, [22, 18, 18, 18])


def _table3_sheet(sheet: object, t3: Table3) -> None:
    """The form's layout: 三、本年度办理结果 spans its lines in column A, a reply type with reasons
    spans them in column B; neither has a line of its own (so no subtotal is printed)."""
    n = len(t3.columns)
    last = 3 + n
    title_row(sheet, t3.title, last)
    _boxed(sheet, 2, 1, 4, 3, t3.note)
    _boxed(sheet, 2, 4, 2, last, "申请人情况", bold=True)
    _boxed(sheet, 3, 4, 4, 4, t3.columns[0], bold=True)
    _boxed(sheet, 3, 5, 3, last - 1, LEGAL_PERSONS, bold=True)
    for i, label in enumerate(t3.columns[1:-1]):
        _boxed(sheet, 4, 5 + i, 4, 5 + i, label, bold=True)
    _boxed(sheet, 3, last, 4, last, t3.columns[-1], bold=True)

    printed = [row for row in t3.rows if row.values and not row.subtotal]
    start = 5
    rows(sheet, start, [[None, None, None, *row.values] for row in printed])
    at = {row.key: start + i for i, row in enumerate(printed)}
    for row in printed:
        r = at[row.key]
        if row.level == 0:
            _boxed(sheet, r, 1, r, 3, row.label)
        elif row.level == 1:
            _boxed(sheet, r, 2, r, 3, row.label)
        else:
            _boxed(sheet, r, 3, r, 3, row.label)
    for row in t3.rows:
        if row.subtotal and row.reply_type is not None:
            reasons = FORM_REASONS[row.reply_type]
            first, end = (
                at[f"{row.reply_type.value}.{reasons[0].name}"],
                at[f"{row.reply_type.value}.{reasons[-1].name}"],
            )
            _boxed(sheet, first, 2, end, 2, row.label)
    _boxed(sheet, at[ReplyType.DISCLOSED.value], 1, at["total"], 1, ROW_RESULTS)
    widths(sheet, [10, 16, 36, *([11] * n)])


def _table4_sheet(sheet: object, t4: Table4) -> None:
    width = len(t4.columns)
    title_row(sheet, t4.title, width * len(t4.groups))
    for g, group in enumerate(t4.groups):
        left, right = g * width + 1, (g + 1) * width
        if group.parent_label is None:
            _boxed(sheet, 2, left, 3, right, group.label, bold=True)
        else:
            _boxed(sheet, 3, left, 3, right, group.label, bold=True)
    litigation = [g for g, group in enumerate(t4.groups) if group.parent_label]
    _boxed(
        sheet,
        2,
        litigation[0] * width + 1,
        2,
        (litigation[-1] + 1) * width,
        t4.groups[litigation[0]].parent_label,
        bold=True,
    )
    header(sheet, 4, [label for _ in t4.groups for label in t4.columns])
    rows(sheet, 5, [[v for group in t4.groups for v in group.values]])
    widths(sheet, [10] * (width * len(t4.groups)))
