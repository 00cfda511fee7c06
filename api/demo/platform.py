"""Demo documents that fill the platform columns of 县财政局 (国办公开办函〔2019〕61号): its 指南
and 制度, and its 法定主动公开内容 (Art. 20 items 七, 八, 九) filed under the catalog rows it answers
for. All invented."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.actor import Actor, SystemActor
from api.models import CatalogItem, Decision, DisclosureAttribute, Document, DocumentKind, Organization, User
from api.services import documents
from api.storage import Storage

from .documents import PDF

DEPARTMENT = "县财政局"

# (kind, title, 体裁分类, the catalog row's 一级事项 it is filed under, domain)
PLATFORM: list[tuple[DocumentKind, str, str, str | None, str | None]] = [
    (DocumentKind.DISCLOSURE_GUIDE, "县财政局政府信息公开指南（演示）", "公开指南", None, None),
    (DocumentKind.DISCLOSURE_RULES, "县财政局政府信息公开保密审查办法（演示）", "工作制度", None, None),
    (DocumentKind.GOVERNMENT_INFO, "2025年县级财政决算公开说明（演示）", "财政预决算", "财政预算、决算情况", "财政预决算"),
    (DocumentKind.GOVERNMENT_INFO, "县级行政事业性收费项目目录清单（演示）", "行政事业性收费",
     "行政事业性收费的项目、依据、标准", None),
    (DocumentKind.NOTICE, "2026年度政府集中采购目录及采购限额标准（演示）", "政府采购", "政府集中采购情况", None),
]  # fmt: skip


async def _user(session: AsyncSession, username: str) -> User | None:
    return (await session.execute(select(User).where(User.username == username))).scalar_one_or_none()


async def load_platform(session: AsyncSession, actor: Actor, storage: Storage, tmp_dir: Path) -> int:
    desk = [
        SystemActor(authorizer=actor.authorizer, user=await _user(session, name), client_addr="demo")
        for name in ("editor", "reviewer", "approver")
    ]
    editor = desk[0]
    org = (await session.execute(select(Organization).where(Organization.name == DEPARTMENT))).scalar_one()
    for kind, title, genre, row, domain in PLATFORM:
        item_id = None
        if row is not None:
            item = (await session.execute(select(CatalogItem).where(CatalogItem.level1 == row))).scalar_one()
            item_id = item.id
        doc: Document = await documents.create_document(
            session, editor, storage, publisher_id=org.id, kind=kind,
            fields_=documents.DocumentFields(
                title=title, summary=title.removesuffix("（演示）"), body=f"{title}\n\n本文为演示数据。", genre=genre,
                domain_code=domain, attribute=DisclosureAttribute.PROACTIVE, catalog_item_id=item_id,
                written_on=date(2026, 11, 2), channels=["政府网站"],
            ),
            files=[documents.Upload(f"{title.removesuffix('（演示）')}.pdf", io.BytesIO(PDF + title.encode()))],
            tmp_dir=tmp_dir, max_bytes=1 << 20, demo=True,
        )  # fmt: skip
        doc = await documents.submit_document(session, editor, document_id=doc.id, version=doc.version)
        for who in desk:
            doc = await documents.review_document(
                session, who, document_id=doc.id, version=doc.version, decision=Decision.APPROVE,
                comment="同意", confidentiality_checked=True,
            )  # fmt: skip
    return len(PLATFORM)
