"""Exports: each report as a file, behind the report's own permission check.

A report registers an exporter under its name; ``GET /exports/{name}?format=xlsx&...`` and
``gongkai export NAME key=value ...`` both come through ``export``.
"""

from __future__ import annotations

import io
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import anyio.to_thread
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from sqlalchemy.ext.asyncio import AsyncSession

from api import spreadsheets
from api.auth.actor import Actor
from api.codes import ReportsCode
from api.errors import UserInputError

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MARKDOWN = "text/markdown; charset=utf-8"


@dataclass
class ExportFile:
    filename: str
    content: bytes
    media_type: str


Exporter = Callable[[AsyncSession, Actor, Mapping[str, str], str], Awaitable[ExportFile]]
EXPORTERS: dict[str, Exporter] = {}
FORMATS: dict[str, tuple[str, ...]] = {}  # the formats each export is made in (the first: the default)


def exporter(name: str, formats: tuple[str, ...] = ("xlsx", "md")) -> Callable[[Exporter], Exporter]:
    def register(fn: Exporter) -> Exporter:
        EXPORTERS[name] = fn
        FORMATS[name] = formats
        return fn

    return register


async def export(session: AsyncSession, actor: Actor, name: str, params: Mapping[str, str]) -> ExportFile:
    # Importing the report modules registers their exporters.
    from ..channels import catalog  # noqa: F401
    from ..requests import notices, register  # noqa: F401
    from . import annual, assessment, monthly  # noqa: F401

    fn = EXPORTERS.get(name)
    if fn is None:
        raise UserInputError(
            "report", ReportsCode.UNKNOWN_REPORT, f"没有名为“{name}”的报表；可用：{'、'.join(sorted(EXPORTERS))}"
        )
    formats = FORMATS[name]
    fmt = params.get("format") or formats[0]
    if fmt not in formats:
        raise UserInputError(
            "format", ReportsCode.UNKNOWN_FORMAT, f"“{name}”可导出的格式：{'、'.join(formats)}；没有“{fmt[:20]}”"
        )
    return await fn(session, actor, params, fmt)


def markdown_table(head: list[str], body: list[list[object]]) -> list[str]:
    """A Markdown table (cells' ``|`` escaped), followed by an empty line."""

    def row(cells: list[object]) -> str:
        return "| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |"

    return [row(list(head)), row(["---"] * len(head)), *(row(line) for line in body), ""]


def require_param(params: Mapping[str, str], key: str) -> str:
    value = (params.get(key) or "").strip()
    if not value:
        raise UserInputError(key, ReportsCode.REQUIRED, f"缺少参数 {key}")
    return value


# --- xlsx helpers: forms laid out like the paper ones ---

THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)


def new_sheet(title: str) -> tuple[Workbook, object]:
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    return book, sheet


def title_row(sheet: object, text: str, width: int, row: int = 1) -> None:
    sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)  # type: ignore[attr-defined]
    cell = sheet.cell(row=row, column=1, value=text)  # type: ignore[attr-defined]
    cell.font = Font(bold=True, size=14)
    cell.alignment = CENTER


def header(sheet: object, row: int, labels: list[str]) -> None:
    for col, label in enumerate(labels, start=1):
        cell = sheet.cell(row=row, column=col, value=label)  # type: ignore[attr-defined]
        cell.font = Font(bold=True)
        cell.alignment = CENTER
        cell.border = BOX


def rows(sheet: object, start: int, values: list[list[object]]) -> int:
    for r, line in enumerate(values, start=start):
        for c, value in enumerate(line, start=1):
            cell = sheet.cell(row=r, column=c, value=value)  # type: ignore[attr-defined]
            cell.border = BOX
    return start + len(values)


def widths(sheet: object, values: list[int]) -> None:
    for i, w in enumerate(values, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = w  # type: ignore[attr-defined]


def save(book: Workbook) -> bytes:
    """The xlsx bytes; text that would start a formula (a title such as ``=HYPERLINK(…)``) is
    written as quoted text."""
    out = io.BytesIO()
    spreadsheets.defuse(book).save(out)
    return out.getvalue()


async def render(build: Callable[..., bytes], *args: Any) -> bytes:
    """``build(*args)`` in a worker thread: openpyxl lays out and zips a file in Python, seconds
    for a long report. ``args`` are loaded values (no lazy loads happen off the event loop)."""
    return await anyio.to_thread.run_sync(build, *args)
