"""The annual report's exports (``annual-report``): xlsx laid out like the paper form, or Markdown."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font
from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.actor import Actor
from api.codes import ReportsCode
from api.errors import UserInputError
from api.models import (
    ReplyType,
)

from ..export import (
    BOX,
    CENTER,
    MARKDOWN,
    XLSX,
    ExportFile,
    exporter,
    header,
    new_sheet,
    render,
    require_param,
    rows,
    save,
    title_row,
    widths,
)
from .form import (
    FIGURE_LABELS,
    FORM_REASONS,
    HEADINGS,
    LEGAL_PERSONS,
    MONEY,
    ROW_RESULTS,
    AnnualReport,
    FigureSource,
    Section,
    Table3,
    Table4,
)
from .report import annual_report

# --- exports ---


def _int_param(params: Mapping[str, str], key: str) -> int:
    text = require_param(params, key)
    try:
        return int(text)
    except ValueError as exc:
        raise UserInputError(key, ReportsCode.INVALID_NUMBER, f"参数 {key} 应为整数：{text}") from exc


@exporter("annual-report")
async def export_annual_report(session: AsyncSession, actor: Actor, params: Mapping[str, str], fmt: str) -> ExportFile:
    year = _int_param(params, "year")
    organization_id = _int_param(params, "organizationId") if params.get("organizationId") else None
    report = await annual_report(
        session, actor, year=year, organization_id=organization_id, unit_code=params.get("unitCode")
    )
    if fmt == "xlsx":
        return ExportFile(f"{report.title}.xlsx", await render(to_xlsx, report), XLSX)
    if fmt == "md":
        return ExportFile(f"{report.title}.md", await render(_markdown_bytes, report), MARKDOWN)
    raise UserInputError("format", ReportsCode.UNKNOWN_FORMAT, "年度报告可导出为 xlsx 或 md")


def _markdown_bytes(report: AnnualReport) -> bytes:
    return to_markdown(report).encode("utf-8")


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
