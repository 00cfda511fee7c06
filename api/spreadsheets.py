"""Spreadsheets in and out, safely: xlsx read with bounds on what a file can make us do, and cells
written so that no text becomes a formula.

Reading: rows of a sheet opened in read-only (streaming) mode, with the sheet's declared dimension
ignored (a 4.8 KB file declaring ``A1:XFD1048576`` otherwise makes openpyxl pad every row to
16,384 cells and invent a million rows) and caps on the rows and columns read; the caller bounds
the file itself (``api/services/catalog_sheet.py``) and runs the reading in a worker thread.

Writing (CSV/formula injection, OWASP): a text cell that begins with ``=``, ``+``, ``-`` or ``@``
(or a tab or carriage return) is stored as a string with Excel's quote prefix, so that neither
opening the file nor editing the cell evaluates it.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from typing import Any

from openpyxl import Workbook

from api.errors import UserInputError

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CHUNK = 1 << 20


class TooManyRows(Exception):
    """Raised by ``rows`` past its limit."""


def over_limit(archive: zipfile.ZipFile, prefix: str, limits: dict[str, int]) -> str | None:
    """The first tag of ``limits`` (any namespace prefix) whose elements in the members under
    ``prefix`` outnumber its limit, or None: a count of bytes at C speed, before openpyxl spends
    Python time on each element (it parses a whole sheet just to look for a missing dimension)."""
    patterns = {tag: re.compile(rb"<(?:[A-Za-z_][\w.-]{0,31}:)?" + tag.encode() + rb"[\s/>]") for tag in limits}
    counts = dict.fromkeys(limits, 0)
    for member in archive.infolist():
        if not member.filename.startswith(prefix):
            continue
        carry = b""
        with archive.open(member) as stream:
            while True:
                chunk = stream.read(CHUNK)
                data = carry + chunk
                # a start tag cut at the chunk's end (they are under 64 bytes) is counted with the next chunk
                cut = data.rfind(b"<", max(0, len(data) - 64)) if chunk else -1
                cut = len(data) if cut < 0 else cut
                head, carry = data[:cut], data[cut:]
                for tag, pattern in patterns.items():
                    counts[tag] += sum(1 for _ in pattern.finditer(head))
                    if counts[tag] > limits[tag]:
                        return tag
                if not chunk:
                    break
    return None


def rows(sheet: Any, *, max_columns: int, max_rows: int) -> Iterator[tuple[int, list[str]]]:
    """(row number, cell texts) of a read-only sheet: at most ``max_columns`` cells from the left,
    at most ``max_rows`` rows (blank ones included), trailing blank cells dropped; one more row
    raises TooManyRows."""
    sheet.reset_dimensions()  # the declared dimension is the file's say, not its content
    for number, values in enumerate(sheet.iter_rows(max_col=max_columns, values_only=True), start=1):
        if number > max_rows:
            raise TooManyRows()
        cells = ["" if v is None else str(v).strip() for v in values]
        while cells and not cells[-1]:
            cells.pop()
        yield number, cells


class Errors:
    """Row errors, the first ``keep`` of them kept and all of them counted."""

    def __init__(self, keep: int) -> None:
        self.keep = keep
        self.kept: list[UserInputError] = []
        self.count = 0

    def add(self, error: UserInputError) -> None:
        self.count += 1
        if len(self.kept) < self.keep:
            self.kept.append(error)

    def __bool__(self) -> bool:
        return self.count > 0

    def __len__(self) -> int:
        return self.count


def is_formula_like(value: object) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def defuse(book: Workbook) -> Workbook:
    """Every cell of ``book`` whose text would start a formula becomes a quoted string."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if is_formula_like(cell.value):
                    cell.data_type = "s"
                    cell.quotePrefix = True
    return book
