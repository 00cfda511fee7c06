"""The text of an attachment, page by page, for the scan: PDF (pypdf), DOCX (python-docx), XLSX
(openpyxl). CPU-heavy: called in a worker thread, and bounded in pages and characters.

A file that cannot be read as its kind (it passed the upload checks, so this is rare) gives no
text and a note; images and OFD give no text (nothing to extract without OCR).
"""

from __future__ import annotations

import io
import logging
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

MAX_PAGES = 200  # PDF pages or xlsx sheets read per attachment
MAX_CHARS = 2_000_000  # characters read per attachment (about 1,000 pages of dense text)
MAX_CELLS = 200_000  # xlsx cells read per attachment

logging.getLogger("pypdf").setLevel(logging.ERROR)


@dataclass(frozen=True)
class Part:
    """One page of a PDF, one sheet of a workbook, or the whole of a Word file."""

    text: str
    page: int | None = None
    sheet: str | None = None


@dataclass
class Extracted:
    parts: list[Part]
    truncated: bool = False  # a bound was reached: the rest was not read
    unreadable: bool = False


def extract(content_type: str, data: bytes, *, max_pages: int = MAX_PAGES, max_chars: int = MAX_CHARS) -> Extracted:
    try:
        if content_type == "application/pdf":
            return _bounded(_pdf(data, max_pages), max_pages, max_chars)
        if content_type.endswith("wordprocessingml.document"):
            return _bounded(_docx(data), max_pages, max_chars)
        if content_type.endswith("spreadsheetml.sheet"):
            return _bounded(_xlsx(data, max_pages), max_pages, max_chars)
    except (ValueError, KeyError, OSError, zipfile.BadZipFile) as exc:  # pypdf's errors derive from these too
        logging.getLogger(__name__).info("attachment text unreadable: %s", type(exc).__name__)
        return Extracted([], unreadable=True)
    except Exception:  # a parser's own error on a damaged file: the scan goes on, the note says so
        logging.getLogger(__name__).info("attachment text unreadable", exc_info=True)
        return Extracted([], unreadable=True)
    return Extracted([])


def _bounded(parts: Iterator[Part], max_pages: int, max_chars: int) -> Extracted:
    out: list[Part] = []
    chars = 0
    for part in parts:
        if len(out) >= max_pages or chars >= max_chars:
            return Extracted(out, truncated=True)
        text = part.text[: max_chars - chars]
        chars += len(text)
        out.append(Part(text, part.page, part.sheet))
    return Extracted(out, truncated=chars >= max_chars)


def _pdf(data: bytes, max_pages: int) -> Iterator[Part]:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    for number, page in enumerate(reader.pages, start=1):
        if number > max_pages:
            yield Part("", number)  # lets _bounded see there was more
            return
        yield Part(page.extract_text() or "", number)


def _docx(data: bytes) -> Iterator[Part]:
    import docx

    document = docx.Document(io.BytesIO(data))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append("\t".join(cell.text for cell in row.cells))
    yield Part("\n".join(lines))


def _xlsx(data: bytes, max_sheets: int) -> Iterator[Part]:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    cells = 0
    try:
        for number, sheet in enumerate(workbook.worksheets, start=1):
            if number > max_sheets:
                yield Part("", number)
                return
            lines = []
            for row in sheet.iter_rows(values_only=True):
                cells += len(row)
                lines.append("\t".join("" if v is None else str(v) for v in row))
                if cells >= MAX_CELLS:
                    break
            yield Part("\n".join(lines), number, sheet.title[:100])
            if cells >= MAX_CELLS:
                yield Part("", number + 1)
                return
    finally:
        workbook.close()
