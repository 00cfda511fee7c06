"""Numbers: the 发文字号 (parsed from its text) and the 索引号 (the organization's scheme and serial)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from api.codes import DocumentsCode
from api.errors import UserInputError
from api.models import (
    IndexCounter,
    Organization,
)

from ..serials import next_serial

DEFAULT_INDEX_SCHEME = "{credit_code}/{year}-{serial:05d}"


DOC_NUMBER_RE = re.compile(
    r"^(?P<agency>[^\s〔\[\(（【]+?)\s*[〔\[\(（【]\s*(?P<year>\d{4})\s*[〕\]\)）】]\s*第?\s*(?P<serial>\d{1,6})\s*号$"
)


@dataclass(frozen=True)
class DocNumber:
    text: str
    agency: str
    year: int
    serial: int


def parse_doc_number(raw: str, field: str = "docNumber") -> DocNumber:
    """机关代字〔2018〕12号, tolerating [2018], (2018), （2018）, 【2018】 and spaces."""
    text = (raw or "").strip().replace(" ", "").replace("\u3000", "")
    match = DOC_NUMBER_RE.match(text)
    if not match:
        raise UserInputError(
            field,
            DocumentsCode.INVALID_DOC_NUMBER,
            f"发文字号“{raw}”格式不正确，应为“机关代字〔年份〕序号号”，如“会理府办发〔2016〕107号”",
        )
    year = int(match["year"])
    if not 1949 <= year <= 2100:
        raise UserInputError(field, DocumentsCode.INVALID_DOC_NUMBER, f"发文字号中的年份“{year}”不正确")
    agency, serial = match["agency"], int(match["serial"])
    return DocNumber(f"{agency}〔{year}〕{serial}号", agency, year, serial)


async def _next_serial(session: AsyncSession, organization_id: int, year: int) -> int:
    """The next 索引号 serial, bumped in the publication's own transaction."""
    return await next_serial(session, IndexCounter, organization_id, year)


def format_index_no(scheme: str | None, org: Organization, year: int, serial: int) -> str:
    return (scheme or DEFAULT_INDEX_SCHEME).format(
        credit_code=org.credit_code or "", org_id=org.id, year=year, serial=serial
    )


def check_index_scheme(scheme: str, field: str = "indexScheme") -> str:
    scheme = scheme.strip()
    if "{serial" not in scheme or "{year" not in scheme:
        raise UserInputError(field, DocumentsCode.INVALID_INDEX_SCHEME, "索引号规则须包含{year}和{serial}")
    try:
        scheme.format(credit_code="X" * 18, org_id=1, year=2026, serial=1)
    except (KeyError, ValueError, IndexError) as exc:
        raise UserInputError(
            field, DocumentsCode.INVALID_INDEX_SCHEME, "索引号规则只能使用{credit_code}、{org_id}、{year}、{serial}"
        ) from exc
    return scheme
