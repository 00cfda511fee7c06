"""The catalog spreadsheet: the columns and words an xlsx catalog may use, read row by row.

Pure and blocking (openpyxl parses in Python): ``api.services.catalog.import_catalog`` calls
``read_workbook`` in a worker thread and writes the rows."""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from dataclasses import dataclass
from typing import Any, BinaryIO

from openpyxl import load_workbook

from api import spreadsheets
from api.codes import CatalogCode
from api.errors import UserInputError
from api.models import Audience, DisclosureMethod, UnitLevel, UpdateFrequency
from api.models.catalog import CHANNELS

HEADERS = {
    "领域": "domain", "一级事项": "level1", "二级事项": "level2", "公开内容": "content", "公开内容要素": "content",
    "公开依据": "basis", "公开时限": "deadline", "公开主体": "subject", "公开渠道": "channels",
    "公开渠道和载体": "channels", "公开对象": "audience", "公开方式": "method", "适用层级": "levels",
    "更新频率": "frequency", "责任单位": "organizations", "政务公开责任单位": "organizations",
}  # fmt: skip
FREQUENCIES = {f.value: f for f in UpdateFrequency} | {"每日": UpdateFrequency.DAILY, "每旬": UpdateFrequency.XUN,
               "每月": UpdateFrequency.MONTHLY, "每季": UpdateFrequency.QUARTERLY, "每季度": UpdateFrequency.QUARTERLY,
               "季度": UpdateFrequency.QUARTERLY, "每年": UpdateFrequency.YEARLY, "年度": UpdateFrequency.YEARLY}  # fmt: skip
LEVELS = {"县": UnitLevel.COUNTY, "县级": UnitLevel.COUNTY, "区": UnitLevel.COUNTY, "区级": UnitLevel.COUNTY,
          "乡": UnitLevel.TOWN, "镇": UnitLevel.TOWN, "乡级": UnitLevel.TOWN, "乡镇": UnitLevel.TOWN,
          "乡镇级": UnitLevel.TOWN, "街道": UnitLevel.TOWN, "村": UnitLevel.VILLAGE, "村级": UnitLevel.VILLAGE,
          "社区": UnitLevel.VILLAGE}  # fmt: skip
AUDIENCES = {a.value: a for a in Audience} | {"社会公众": Audience.PUBLIC, "特定对象": Audience.SPECIFIC_GROUPS}
METHODS = {m.value: m for m in DisclosureMethod} | {
    "主动公开": DisclosureMethod.PROACTIVE,
    "依申请公开": DisclosureMethod.ON_REQUEST,
}
SPLIT = re.compile(r"[、,，;；\n]+")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# What one file may hold: a county's catalog is a few hundred to a few thousand items.
MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
MAX_SHEETS = 50
MAX_ITEMS = 5000  # catalog rows
MAX_ROWS_READ = 10000  # rows of all sheets, blank and header rows included
MAX_COLUMNS = 64
MAX_CELLS = MAX_ROWS_READ * MAX_COLUMNS // 2  # cells (and shared strings) written in the file
MAX_ERRORS = 100
LENGTHS = {"level1": ("一级事项", 200), "level2": ("二级事项", 200), "deadline": ("公开时限", 200),
           "subject": ("公开主体", 200), "content": ("公开内容", 10000), "basis": ("公开依据", 10000)}  # fmt: skip


def _split(value: str) -> list[str]:
    return [v.strip() for v in SPLIT.split(value or "") if v.strip()]


@dataclass
class SheetRow:
    where: str
    fields: dict[str, Any]  # the keyword arguments of ``catalog.ItemFields``
    org_names: list[str]


def _parse_row(where: str, cells: dict[str, str]) -> tuple[SheetRow | None, list[str]]:
    problems: list[str] = []
    if any(CONTROL.search(c) for c in cells.values()):
        problems.append("含有不可见的控制字符，请删除后重新导入")
    for key, (label, limit) in LENGTHS.items():
        if len(cells.get(key, "")) > limit:
            problems.append(f"{label}超过{limit}个字")
    level1 = cells.get("level1", "").strip()
    if not level1:
        problems.append("一级事项不能为空")
    freq_text = cells.get("frequency", "").strip()
    frequency = FREQUENCIES.get(freq_text)
    if frequency is None:
        problems.append(f"更新频率“{freq_text}”应为实时、日、旬、月、季、年之一")
    channels = _split(cells.get("channels", ""))
    bad_channels = [c for c in channels if c not in CHANNELS]
    if bad_channels:
        problems.append(f"公开渠道“{'、'.join(bad_channels)}”不在规定的渠道中")
    audience = AUDIENCES.get(cells.get("audience", "").strip() or "全社会")
    if audience is None:
        problems.append(f"公开对象“{cells.get('audience')}”应为全社会或特定群体")
    method = METHODS.get(cells.get("method", "").strip() or "主动")
    if method is None:
        problems.append(f"公开方式“{cells.get('method')}”应为主动或依申请")
    level_names = _split(cells.get("levels", "")) or ["县级"]
    bad_levels = [lv for lv in level_names if lv not in LEVELS]
    if bad_levels:
        problems.append(f"适用层级“{'、'.join(bad_levels)}”应为县级、乡级或村级")
    if problems or frequency is None or audience is None or method is None:
        return None, problems
    fields_ = dict(
        level1=level1, level2=cells.get("level2", ""), frequency=frequency, domain_code=cells.get("domain") or None,
        content=cells.get("content", ""), basis=cells.get("basis", ""), deadline=cells.get("deadline", ""),
        subject=cells.get("subject", ""), channels=channels, audience=audience, method=method,
        levels=list(dict.fromkeys(LEVELS[lv] for lv in level_names)),
    )  # fmt: skip
    return SheetRow(where, fields_, _split(cells.get("organizations", ""))), []


def _invalid() -> UserInputError:
    return UserInputError("file", CatalogCode.INVALID_FILE, "无法读取该文件：请上传 Excel（.xlsx）格式的目录表")


def _check_archive(archive: zipfile.ZipFile) -> None:
    # A member's declared size bounds what reading it yields (zipfile stops there and fails the
    # CRC), so a compression bomb is refused here, before anything is unpacked.
    if sum(m.file_size for m in archive.infolist()) > MAX_UNPACKED_BYTES:
        raise UserInputError(
            "file", CatalogCode.FILE_TOO_LARGE, f"目录表解压后超过{MAX_UNPACKED_BYTES >> 20}MB，请分批导入"
        )
    # Elements of every part, whatever its name (a workbook may point its sheets anywhere).
    over = spreadsheets.over_limit(
        archive, "", {"sheet": MAX_SHEETS, "row": MAX_ROWS_READ, "c": MAX_CELLS, "si": MAX_CELLS}
    )
    if over == "sheet":
        raise UserInputError(
            "file", CatalogCode.TOO_MANY_SHEETS, f"目录表的工作表超过{MAX_SHEETS}个，请删除无关的工作表"
        )
    if over is not None:
        raise UserInputError(
            "file", CatalogCode.TOO_MANY_ROWS, f"目录表超过{MAX_ROWS_READ}行或{MAX_CELLS}个单元格，请分批导入"
        )


def open_workbook(source: BinaryIO) -> Any:
    """The workbook in read-only mode, once its size, what it unpacks to and its sheets are within bounds."""
    data = source.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise UserInputError("file", CatalogCode.FILE_TOO_LARGE, f"目录表不能超过{MAX_FILE_BYTES >> 20}MB，请分批导入")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            _check_archive(archive)
    except (zipfile.BadZipFile, zlib.error, OSError, ValueError, EOFError, NotImplementedError, RuntimeError) as exc:
        raise _invalid() from exc  # not a ZIP, a broken or encrypted one, or an unknown compression
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not xlsx
        raise _invalid() from exc


def _header(cells: list[str]) -> dict[int, str] | None:
    """Column -> field of a header row (one naming 一级事项, or 内容); None for any other row."""
    if "一级事项" not in cells and "内容" not in cells:
        return None
    header = {i: HEADERS.get(c, HEADERS.get(c.replace(" ", ""), "")) for i, c in enumerate(cells)}
    if "一级事项" not in cells:
        header[cells.index("内容")] = "level1"
    return header


@dataclass
class _Reading:
    rows: list[SheetRow]
    errors: spreadsheets.Errors
    read: int = 0  # rows of all sheets so far, blank and header rows included
    items: int = 0

    def sheet(self, sheet: Any) -> None:
        header: dict[int, str] | None = None
        for number, cells in spreadsheets.rows(sheet, max_columns=MAX_COLUMNS, max_rows=MAX_ROWS_READ - self.read):
            self.read += 1
            if header is None:
                header = _header(cells)
                continue
            if not any(cells):
                continue
            self.items += 1
            if self.items > MAX_ITEMS:
                raise UserInputError("file", CatalogCode.TOO_MANY_ROWS, f"目录表超过{MAX_ITEMS}项，请分批导入")
            where = f"工作表“{sheet.title}”第{number}行"
            row, problems = _parse_row(where, {header[i]: c for i, c in enumerate(cells) if header.get(i)})
            for p in problems:
                self.errors.add(UserInputError("file", CatalogCode.INVALID_ROW, f"{where}：{p}"))
            if row is not None:
                self.rows.append(row)


def read_workbook(source: BinaryIO) -> tuple[list[SheetRow], spreadsheets.Errors]:
    """Rows of every sheet that has a 一级事项 header, and the problems found, with sheet and row.

    Blocking (openpyxl parses in Python): the server calls it in a worker thread."""
    book = open_workbook(source)
    reading = _Reading([], spreadsheets.Errors(MAX_ERRORS))
    try:
        for sheet in book.worksheets:
            reading.sheet(sheet)
    except spreadsheets.TooManyRows:
        raise UserInputError(
            "file", CatalogCode.TOO_MANY_ROWS, f"目录表共超过{MAX_ROWS_READ}行（含空行），请删除多余的空行或分批导入"
        ) from None
    except UserInputError:
        raise
    except Exception as exc:  # a sheet's XML, or its compression, broken part way
        raise _invalid() from exc
    finally:
        book.close()
    if not reading.rows and not reading.errors:
        reading.errors.add(
            UserInputError("file", CatalogCode.EMPTY, "文件中没有找到目录事项：表头应包含“一级事项”和“更新频率”")
        )
    return reading.rows, reading.errors
