"""What the office writes or enters: sections 一, 五, 六 and table 2 (documents counted, figures entered)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.actor import Actor
from api.auth.scope import within
from api.codes import ReportsCode
from api.db import commit, flush
from api.errors import Conflict, UserInputError
from api.models import (
    AnnualReportFigure,
    AnnualReportText,
    Document,
    DocumentStatus,
    DocumentVersion,
    Validity,
)
from api.models.base import utcnow
from api.services import audit

from .access import check_year, instant, resolve_scope, signed_in
from .form import (
    FIGURE_LABELS,
    GENRES,
    HEADINGS,
    MAX_TEXT,
    MONEY,
    SECTION_TITLES,
    TABLE2_LAYOUT,
    Cell,
    FigureKey,
    FigureSource,
    Section,
    Table2,
    Table2Block,
    Table2Row,
    TextSection,
)

# --- sections 一, 五, 六 ---


def _section(section: TextSection, row: AnnualReportText | None) -> Section:
    if row is None:
        return Section(section, SECTION_TITLES[section], "", 0, None)
    return Section(section, SECTION_TITLES[section], row.text, row.version, row.updated_at)


async def read_texts(session: AsyncSession, path: str, year: int) -> dict[TextSection, Section]:
    stmt = select(AnnualReportText).where(AnnualReportText.scope_path == path, AnnualReportText.year == year)
    saved = {row.section: row for row in (await session.execute(stmt)).scalars()}
    return {s: _section(s, saved.get(s.value)) for s in TextSection}


async def save_text(
    session: AsyncSession, actor: Actor, *, year: int, organization_id: int | None, unit_code: str | None,
    section: TextSection, text: str, version: int,
) -> Section:  # fmt: skip
    signed_in(actor)
    check_year(year)
    scope = await resolve_scope(session, organization_id=organization_id, unit_code=unit_code)
    actor.require("report", "write", scope.path)
    text = (text or "").strip()
    if len(text) > MAX_TEXT:
        raise UserInputError("text", ReportsCode.TOO_LONG, f"每部分不能超过{MAX_TEXT}字")
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
    await flush(session)  # saved by somebody else meanwhile: CONFLICT
    summary = f"{scope.name}{year}年年度报告：保存“{SECTION_TITLES[section]}”（{len(text)}字）"
    audit.record(session, actor, "report.annual_text", "AnnualReportText", row.id, scope.path, summary)
    await commit(session)
    return _section(section, row)


# --- table 2 ---


def _normalize(key: FigureKey, value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01") if key in MONEY else Decimal(1))


async def _computed_documents(session: AsyncSession, path: str, year: int) -> dict[FigureKey, Decimal]:
    y0, y1 = instant(date(year, 1, 1)), instant(date(year + 1, 1, 1))
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
    signed_in(actor)
    check_year(year)
    scope = await resolve_scope(session, organization_id=organization_id, unit_code=unit_code)
    actor.require("report", "write", scope.path)
    if value is not None:
        if not value.is_finite() or value < 0 or value >= Decimal("1e16"):
            raise UserInputError("value", ReportsCode.INVALID_VALUE, "数值应为不小于0的数")
        if value != _normalize(key, value):
            message = "金额以万元为单位，最多保留两位小数" if key in MONEY else "件数应为整数"
            raise UserInputError("value", ReportsCode.INVALID_VALUE, message)
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
    await flush(session)  # entered by somebody else meanwhile: CONFLICT
    shown = "清除" if value is None else str(_normalize(key, value))
    summary = f"{scope.name}{year}年年度报告：{FIGURE_LABELS[key]} {shown}"
    target = row.id if row is not None else None
    audit.record(session, actor, "report.annual_figure", "AnnualReportFigure", target, scope.path, summary)
    await commit(session)
    return await table2(session, scope.path, year)
