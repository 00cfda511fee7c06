"""The provincial catalog system's record of a document (政府信息公开目录管理系统's fields), shared by
the xlsx export, the JSON feed and the webhook payloads."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.localtime import local_date
from api.models import DisclosureAttribute, Document, DocumentVersion, Organization
from api.models.documents import ATTRIBUTE_LABELS, KIND_LABELS, VALIDITY_LABELS

FIELDS = (
    "索引号", "信息名称", "发布机构", "生成日期", "文号", "主题分类", "体裁分类", "公开方式", "公开范围", "公开时限", "有效性",
)  # fmt: skip

METHOD_NAMES = {a: ATTRIBUTE_LABELS[a] for a in (DisclosureAttribute.PROACTIVE, DisclosureAttribute.PARTIAL)}
SCOPE = "面向社会"  # only public documents leave the server
TERM = "长期公开"  # no disclosure period ends in this model


def generated_on(doc: Document, version: DocumentVersion) -> date | None:
    """生成日期: the 成文日期, else the day of first publication."""
    if version.written_on is not None:
        return version.written_on
    first = doc.first_published_at or doc.published_at
    return local_date(first) if first is not None else None


def record(doc: Document, version: DocumentVersion, publisher: str) -> dict[str, str]:
    """The eleven fields as text (dates ``YYYY-MM-DD``; empty where the document has none)."""
    day = generated_on(doc, version)
    return {
        "索引号": doc.index_no or "",
        "信息名称": version.title,
        "发布机构": version.issuing_name or publisher,
        "生成日期": day.isoformat() if day else "",
        "文号": version.doc_number or "",
        "主题分类": version.topic,
        "体裁分类": version.genre or KIND_LABELS[doc.kind],
        "公开方式": METHOD_NAMES.get(version.attribute, ""),
        "公开范围": SCOPE,
        "公开时限": TERM,
        "有效性": VALIDITY_LABELS[version.validity],
    }


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


async def publisher_names(session: AsyncSession, ids: set[int]) -> dict[int, str]:
    """The publishers' names in one statement (none for no ids)."""
    if not ids:
        return {}
    rows = await session.execute(select(Organization.id, Organization.name).where(Organization.id.in_(ids)))
    return {int(pk): str(name) for pk, name in rows.all()}
