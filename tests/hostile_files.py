"""Spreadsheets an attacker would send, made in milliseconds by writing their XML directly."""

from __future__ import annotations

import io
import re
import zipfile

from openpyxl import Workbook

SHEET = "xl/worksheets/sheet1.xml"


def _rewrite(data: bytes, sheet: bytes | None = None, dimension: bytes | None = None, **extra: bytes) -> bytes:
    """``data`` (an xlsx) with its first sheet replaced, or its declared dimension changed, or parts added."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == SHEET and sheet is not None:
                content = sheet
            if item.filename == SHEET and dimension is not None:
                content = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="' + dimension + b'"', content)
            target.writestr(item, content)
        for name, content in extra.items():
            target.writestr(name, content)
    return out.getvalue()


def xlsx(rows: list[list[str]]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def giant_dimension(data: bytes) -> bytes:
    """The file as it was, declaring that its first sheet fills every row and column Excel has."""
    return _rewrite(data, dimension=b"A1:XFD1048576")


def many_rows(base: bytes, count: int = 1_000_000) -> bytes:
    """``base``'s header row, then ``count`` real one-cell rows (about 5 MB for a million)."""
    header = zipfile.ZipFile(io.BytesIO(base)).read(SHEET)
    start = header.index(b"<sheetData>") + len(b"<sheetData>")
    first_row_end = header.index(b"</row>", start) + len(b"</row>")
    body = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>' * count
    return _rewrite(base, sheet=header[:first_row_end] + body + header[header.index(b"</sheetData>") :])


def unpacks_to(base: bytes, size: int) -> bytes:
    """``base`` with a part of ``size`` zero bytes (a compression bomb: a few KB packed)."""
    return _rewrite(base, **{"xl/media/padding.bin": bytes(size)})
