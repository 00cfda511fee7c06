"""The provincial catalog system's fields (索引号, 信息名称, 发布机构, 生成日期, 文号, 主题分类, 体裁分类,
公开方式, 公开范围, 公开时限, 有效性): an xlsx of the published public documents of a unit (and those
below), and a JSON feed of the outbox another system pulls with a cursor.

The feed's cursor is the outbox event's id. On SQLite writers are serialized, so ids become
visible in order; on PostgreSQL a transaction may commit after one holding a higher id, so the
feed there only shows events older than ``SETTLE`` (longer than a publication's transaction)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.actor import Actor
from api.auth.scope import below, unit_path
from api.codes import ChannelsCode
from api.errors import UserInputError
from api.models import OutboxEvent
from api.models.base import utcnow

from .. import documents
from ..reports.export import (
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
from ..units.divisions import find_unit
from .outbox import envelope
from .records import FIELDS, publisher_names, record

FEED_PAGE = 200  # events of one pull at most
EXPORT_ROWS = 10_000
SETTLE = timedelta(seconds=5)


@dataclass(frozen=True)
class CatalogPage:
    events: list[dict[str, object]]
    cursor: str  # pass as ``since`` for the next pull
    has_more: bool


def parse_cursor(since: str | None) -> int:
    if not since:
        return 0
    if not since.isdigit() or len(since) > 18:
        raise UserInputError("since", ChannelsCode.INVALID_CURSOR, "since 须是上次拉取返回的 cursor")
    return int(since)


async def catalog_changes(
    session: AsyncSession, actor: Actor, *, since: str | None, limit: int = FEED_PAGE, unit_code: str | None = None
) -> CatalogPage:
    """Events after the cursor, oldest first: every public document's publication, new version and
    retraction (the outbox holds public documents only, so the actor needs no grant). One statement."""
    after = parse_cursor(since)
    limit = max(1, min(limit, FEED_PAGE))
    stmt = select(OutboxEvent).where(OutboxEvent.id > after).order_by(OutboxEvent.id).limit(limit + 1)
    if unit_code is not None:
        if not (len(unit_code) == 12 and unit_code.isdigit()):
            raise UserInputError("unitCode", ChannelsCode.NOT_FOUND, "unitCode 须是12位统计用区划代码")
        stmt = stmt.where(below(OutboxEvent.scope_path, unit_path(unit_code)))
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        stmt = stmt.where(OutboxEvent.created_at <= utcnow() - SETTLE)
    found = list((await session.execute(stmt)).scalars())
    page = found[:limit]
    cursor = str(page[-1].id) if page else str(after)
    return CatalogPage([envelope(e) for e in page], cursor, len(found) > limit)


async def catalog_records(session: AsyncSession, actor: Actor, *, unit_code: str) -> list[dict[str, str]]:
    """The published documents of the unit and those below that the actor may read, newest first,
    as catalog records (at most ``EXPORT_ROWS``): two statements."""
    if await find_unit(session, unit_code) is None:
        raise UserInputError("unitCode", ChannelsCode.NOT_FOUND, "找不到该行政区划")
    f = documents.DocumentFilter(
        unit_code=unit_code, include_descendants=True, extra=[documents.Document.public.is_(True)]
    )
    page = await documents.list_documents(session, actor, f, first=EXPORT_ROWS, max_page_size=EXPORT_ROWS)
    names = await publisher_names(session, {d.publisher_id for d in page.items})
    return [record(d, d.current, names.get(d.publisher_id, "")) for d in page.items if d.current is not None]


def _xlsx(records: list[dict[str, str]], title: str) -> bytes:
    book, sheet = new_sheet("政府信息公开目录")
    title_row(sheet, title, len(FIELDS))
    header(sheet, 2, list(FIELDS))
    rows(sheet, 3, [[r[k] for k in FIELDS] for r in records])
    widths(sheet, [30, 40, 20, 12, 20, 12, 12, 10, 10, 10, 8])
    return save(book)


@exporter("provincial-catalog", ("xlsx",))
async def export_catalog(session: AsyncSession, actor: Actor, params: Mapping[str, str], fmt: str) -> ExportFile:
    unit_code = require_param(params, "unitCode")
    records = await catalog_records(session, actor, unit_code=unit_code)
    content = await render(_xlsx, records, f"政府信息公开目录（{unit_code}）")
    return ExportFile(f"政府信息公开目录-{unit_code}.xlsx", content, XLSX)
