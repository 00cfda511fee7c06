"""Demo documents: published items across departments and towns, an interpretation pair, an
overdue interpretation, and drafts waiting at each of the three review steps. All invented."""

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

PDF = (  # one blank page; uploads are parsed (api/active_content.py)
    b"%PDF-1.4\n%demo\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [3 0 R] "
    b"/Count 1 >>\nendobj\n3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>\nendobj\nxref\n0 4\n"
    b"0000000000 65535 f \n0000000015 00000 n \n0000000064 00000 n \n0000000121 00000 n \n"
    b"trailer\n<< /Size 4 /Root 1 0 R >>\nstartxref\n192\n%%EOF\n"
)

# (publisher, kind, title, domain, attribute, reason)
PUBLISHED: list[tuple[str, DocumentKind, str, str | None, DisclosureAttribute, str | None]] = [
    ("县民政局", DocumentKind.GOVERNMENT_INFO, "2026年第三季度城乡低保资金发放情况（演示）", "社会救助", DisclosureAttribute.PROACTIVE, None),
    ("县民政局", DocumentKind.NOTICE, "关于开展养老服务机构安全检查的通知（演示）", "养老服务", DisclosureAttribute.PROACTIVE, None),
    ("县民政局", DocumentKind.GOVERNMENT_INFO, "特困人员供养名单（演示）", "社会救助", DisclosureAttribute.PARTIAL, "涉及个人隐私的身份证号已隐去"),
    ("县财政局", DocumentKind.GOVERNMENT_INFO, "2026年县级部门预算公开说明（演示）", "财政预决算", DisclosureAttribute.PROACTIVE, None),
    ("县教育局", DocumentKind.NOTICE, "2026年义务教育招生范围公告（演示）", "义务教育", DisclosureAttribute.PROACTIVE, None),
    ("县卫计局", DocumentKind.GOVERNMENT_INFO, "基本公共卫生服务项目实施情况（演示）", "卫生健康", DisclosureAttribute.PROACTIVE, None),
    ("县安监局", DocumentKind.NOTICE, "冬春火灾防控工作提示（演示）", "安全生产", DisclosureAttribute.PROACTIVE, None),
    ("县公安局", DocumentKind.GOVERNMENT_INFO, "户口迁移办理指南（演示）", "户籍管理", DisclosureAttribute.PROACTIVE, None),
    ("鹿厂镇政府", DocumentKind.NOTICE, "鹿厂镇2026年涉农补贴发放公示（演示）", "涉农补贴", DisclosureAttribute.PROACTIVE, None),
    ("黎溪镇政府", DocumentKind.NOTICE, "黎溪镇农村危房改造对象公示（演示）", "农村危房改造", DisclosureAttribute.PROACTIVE, None),
    ("县政府办", DocumentKind.GOVERNMENT_INFO, "县政府常务会议决定事项（演示）", None, DisclosureAttribute.ON_REQUEST, "内部研究事项，依申请公开"),
]  # fmt: skip


class _Desk:
    """Three different people for the three steps, so the one-step-per-person rule holds."""

    def __init__(self, actor: Actor, users: list[User | None]) -> None:
        self.actors = [SystemActor(authorizer=actor.authorizer, user=u, client_addr="demo") for u in users]


async def _user(session: AsyncSession, username: str) -> User | None:
    return (await session.execute(select(User).where(User.username == username))).scalar_one_or_none()


async def _org(session: AsyncSession, name: str) -> Organization:
    return (await session.execute(select(Organization).where(Organization.name == name))).scalar_one()


async def load_documents(session: AsyncSession, actor: Actor, storage: Storage, tmp_dir: Path) -> int:
    desk = _Desk(actor, [await _user(session, n) for n in ("editor", "reviewer", "approver")])
    editor, reviewer, approver = desk.actors

    async def draft(org: str, kind: DocumentKind, title: str, domain: str | None, attr: DisclosureAttribute,
                    reason: str | None, policy: bool = False) -> Document:  # fmt: skip
        publisher = await _org(session, org)
        return await documents.create_document(
            session, editor, storage, publisher_id=publisher.id, kind=kind,
            fields_=documents.DocumentFields(
                title=title, summary=title.removesuffix("（演示）"), body=f"{title}\n\n本文为演示数据。",
                domain_code=domain, attribute=attr, attribute_reason=reason, is_policy=policy,
                doc_number=f"会理{publisher.name[1:3]}发〔2026〕{publisher.id}号", written_on=date(2026, 11, 2),
                channels=["政府网站", "公开查阅点"],
            ),
            files=[documents.Upload(f"{title.removesuffix('（演示）')}.pdf", io.BytesIO(PDF + title.encode()))],
            tmp_dir=tmp_dir, max_bytes=1 << 20, demo=True,
        )  # fmt: skip

    async def advance(doc: Document, steps: int) -> Document:
        if steps >= 1:
            doc = await documents.submit_document(
                session, editor, document_id=doc.id, version=doc.version, storage=storage
            )
        for who in (editor, reviewer, approver)[: max(0, steps - 1)]:
            doc = await documents.review_document(
                session, who, document_id=doc.id, version=doc.version, decision=Decision.APPROVE,
                comment="同意", confidentiality_checked=True, storage=storage,
            )  # fmt: skip
        return doc

    count = 0
    for org, kind, title, domain, attr, reason in PUBLISHED:
        doc = await draft(org, kind, title, domain, attr, reason)
        if "低保资金" in title:  # filed under the 社会救助 catalog's 资金发放情况 row
            item = (await session.execute(select(CatalogItem).where(CatalogItem.level2 == "资金发放情况"))).scalar_one()
            doc = await documents.update_document(
                session, editor, document_id=doc.id, version=doc.version,
                fields_=documents.DocumentFields(catalog_item_id=item.id),
            )  # fmt: skip
        await advance(doc, 4)
        count += 1

    policy = await advance(
        await draft("县民政局", DocumentKind.GOVERNMENT_INFO, "会理县城乡低保审核确认办法（演示）", "社会救助",
                    DisclosureAttribute.PROACTIVE, None, policy=True), 4)  # fmt: skip
    interpretation = await draft("县民政局", DocumentKind.POLICY_INTERPRETATION, "《会理县城乡低保审核确认办法》解读（演示）",
                                 "社会救助", DisclosureAttribute.PROACTIVE, None)  # fmt: skip
    interpretation = await documents.link_interpretation(
        session, editor, interpretation_id=interpretation.id, policy_id=policy.id
    )
    await advance(interpretation, 4)
    overdue = await advance(
        await draft("县财政局", DocumentKind.GOVERNMENT_INFO, "会理县惠民惠农财政补贴资金管理办法（演示）", "涉农补贴",
                    DisclosureAttribute.PROACTIVE, None, policy=True), 4)  # fmt: skip
    # Demo: published weeks ago, and nobody has written the interpretation yet.
    overdue.interpretation_due = date(2026, 11, 5)
    await session.commit()
    count += 3

    for steps, title in enumerate(("草稿（演示）", "待初审（演示）", "待审核（演示）", "待审发（演示）")):
        await advance(
            await draft(
                "县民政局",
                DocumentKind.NOTICE,
                f"低保复核工作安排：{title}",
                "社会救助",
                DisclosureAttribute.PROACTIVE,
                None,
            ),
            steps,
        )
        count += 1
    return count


def board_photo() -> bytes:
    """A stand-in for the photo of the notice board: a real image, since photos are decoded and
    re-encoded with their sizes (api/photos.py)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (1600, 1200), (178, 34, 34))
    draw = ImageDraw.Draw(image)
    draw.rectangle((120, 160, 1480, 1080), fill=(245, 245, 240))
    for row in range(12):
        draw.rectangle((200, 240 + row * 64, 1400 - (row % 3) * 180, 268 + row * 64), fill=(90, 90, 90))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


async def load_posting(session: AsyncSession, actor: Actor, storage: Storage, tmp_dir: Path, village_code: str) -> int:
    """A village's quarterly accounts posted by its poster and approved by the town."""
    from api.models import AdminUnit, VillagePowerItem
    from api.models.micropower import PowerItem

    poster = SystemActor(authorizer=actor.authorizer, user=await _user(session, "village_poster"), client_addr="demo")
    town = SystemActor(authorizer=actor.authorizer, user=await _user(session, "town_approver"), client_addr="demo")
    village = (await session.execute(select(AdminUnit).where(AdminUnit.code == village_code))).scalar_one()
    committee = (await session.execute(select(Organization).where(Organization.unit_id == village.id))).scalar_one()
    item = (
        await session.execute(
            select(VillagePowerItem)
            .join(PowerItem, PowerItem.id == VillagePowerItem.template_id)
            .where(VillagePowerItem.village_id == village.id, PowerItem.name == "村级财务收支公开")
        )
    ).scalar_one()
    doc = await documents.create_document(
        session, poster, storage, publisher_id=committee.id, kind=DocumentKind.VILLAGE_AFFAIRS,
        fields_=documents.DocumentFields(
            title=f"{village.name}2026年第三季度财务收支公开（演示）", body="收入、支出明细见照片。本文为演示数据。",
            attribute=DisclosureAttribute.PROACTIVE, village_item_id=item.id, channels=["公示栏/电子屏"],
        ),
        files=[documents.Upload("公开栏照片.png", io.BytesIO(board_photo()))], tmp_dir=tmp_dir, max_bytes=1 << 20, demo=True,
    )  # fmt: skip
    doc = await documents.submit_document(session, poster, document_id=doc.id, version=doc.version, storage=storage)
    await documents.review_document(
        session, town, document_id=doc.id, version=doc.version, decision=Decision.APPROVE, comment="同意公开",
        confidentiality_checked=True, storage=storage,
    )  # fmt: skip
    return 1
