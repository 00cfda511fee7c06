"""What the documents' verbs share: China's time zone, the names of attributes and stages, the
review steps (``STEPS``, ``POSTING_STEPS``), loading, the event row, the derived status, the version to edit, the commit."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.actor import Actor
from api.codes import DocumentsCode
from api.errors import Conflict, UserInputError
from api.models import (
    Attachment,
    AttachmentSize,
    Decision,
    DisclosureAttribute,
    Document,
    DocumentEvent,
    DocumentKind,
    DocumentStatus,
    DocumentVersion,
    Stage,
    VersionStatus,
)
from api.models.base import utcnow

ATTRIBUTE_NAMES = {
    DisclosureAttribute.PROACTIVE: "主动公开",
    DisclosureAttribute.PARTIAL: "部分公开",
    DisclosureAttribute.ON_REQUEST: "依申请公开",
    DisclosureAttribute.NOT_DISCLOSED: "不予公开",
}


STAGE_NAMES = {Stage.FIRST_REVIEW: "初审", Stage.REVIEW: "审核", Stage.SIGN_OFF: "审发"}


# The step that a version in review waits for, the permission it takes, and what follows.
STEPS: dict[VersionStatus, tuple[Stage, str, VersionStatus | None]] = {
    VersionStatus.FIRST_REVIEW: (Stage.FIRST_REVIEW, "first_review", VersionStatus.REVIEW),
    VersionStatus.REVIEW: (Stage.REVIEW, "review", VersionStatus.SIGN_OFF),
    VersionStatus.SIGN_OFF: (Stage.SIGN_OFF, "sign_off", None),
}


# A village posting (村务公开) goes from the village straight to the town's approval.
POSTING_STEPS: dict[VersionStatus, tuple[Stage, str, VersionStatus | None]] = {
    VersionStatus.SIGN_OFF: (Stage.SIGN_OFF, "approve", None),
}


CONTENT_ATTRS = (
    "title", "summary", "body", "body_format", "issuing_organization_id", "issuing_name", "doc_number",
    "doc_number_agency", "doc_number_year", "doc_number_serial", "written_on", "topic", "genre", "keywords",
    "domain_id", "attribute", "attribute_reason", "validity", "channels",
)  # fmt: skip


def _obj(doc: Document) -> str:
    """Village postings have permissions of their own (posters and the town's approver)."""
    return "posting" if doc.kind is DocumentKind.VILLAGE_AFFAIRS else "document"


def _steps(doc: Document) -> dict[VersionStatus, tuple[Stage, str, VersionStatus | None]]:
    return POSTING_STEPS if doc.kind is DocumentKind.VILLAGE_AFFAIRS else STEPS


def _event(
    session: AsyncSession,
    actor: Actor,
    doc: Document,
    version: DocumentVersion | None,
    stage_: Stage,
    decision: Decision | None = None,
    comment: str = "",
    confidentiality_checked: bool | None = None,
) -> None:
    session.add(
        DocumentEvent(
            document_id=doc.id,
            version_id=version.id if version else None,
            stage=stage_,
            decision=decision,
            actor_id=actor.user_id,
            actor_name=actor.user.display_name if actor.user else actor.name,
            comment=comment,
            confidentiality_checked=confidentiality_checked,
        )
    )


async def _load(session: AsyncSession, document_id: int, version: int | None = None) -> Document:
    doc = await session.get(Document, document_id)
    if doc is None:
        raise UserInputError("id", DocumentsCode.NOT_FOUND, "找不到该文件")
    if version is not None and version != doc.version:
        raise Conflict()
    return doc


async def _version(session: AsyncSession, version_id: int | None) -> DocumentVersion | None:
    return None if version_id is None else await session.get(DocumentVersion, version_id)


def _derive_status(doc: Document, working: DocumentVersion | None) -> DocumentStatus:
    if doc.retracted_at is not None:
        return DocumentStatus.RETRACTED
    if working is not None:
        return DocumentStatus(working.status.value)
    return DocumentStatus.PUBLISHED


def _touch(doc: Document) -> None:
    # Every change to a document moves its version, also when only a version row changed.
    doc.updated_at = utcnow()


async def _editable_version(session: AsyncSession, actor: Actor, doc: Document) -> DocumentVersion:
    """The draft to change: the working draft, or a new version copied from the published one."""
    if doc.retracted_at is not None:
        raise UserInputError("id", DocumentsCode.ILLEGAL_TRANSITION, "已撤回的文件不能修改")
    working = await _version(session, doc.working_version_id)
    if working is not None:
        if working.status is not VersionStatus.DRAFT:
            raise UserInputError(
                "id", DocumentsCode.ILLEGAL_TRANSITION, f"文件正在{_waiting_name(working.status)}，须退回后才能修改"
            )
        return working
    published = await _version(session, doc.current_version_id)
    assert published is not None
    count = (
        await session.execute(select(func.max(DocumentVersion.number)).where(DocumentVersion.document_id == doc.id))
    ).scalar_one()
    copy = DocumentVersion(
        document_id=doc.id,
        number=count + 1,
        status=VersionStatus.DRAFT,
        created_by_id=actor.user_id,
        **{a: getattr(published, a) for a in CONTENT_ATTRS},
    )
    session.add(copy)
    await session.flush()
    old = (await session.execute(select(Attachment).where(Attachment.version_id == published.id))).scalars().all()
    copies = [
        Attachment(
            document_id=doc.id,
            version_id=copy.id,
            filename=a.filename,
            content_type=a.content_type,
            size=a.size,
            sha256=a.sha256,
            position=a.position,
            created_by_id=a.created_by_id,
            width=a.width,
            height=a.height,
        )
        for a in old
    ]
    session.add_all(copies)
    if any(a.width is not None for a in old):  # a photo's sizes go with it (same files, new rows)
        await session.flush()
        new_id = {a.id: c.id for a, c in zip(old, copies, strict=True)}
        sizes = await session.execute(select(AttachmentSize).where(AttachmentSize.attachment_id.in_(new_id)))
        for size in sizes.scalars():
            session.add(
                AttachmentSize(
                    attachment_id=new_id[size.attachment_id], long_side=size.long_side, width=size.width,
                    height=size.height, size=size.size, sha256=size.sha256,
                )
            )  # fmt: skip
    doc.working_version_id = copy.id
    doc.status = DocumentStatus.DRAFT
    return copy


def _waiting_name(status: VersionStatus) -> str:
    return {VersionStatus.FIRST_REVIEW: "初审", VersionStatus.REVIEW: "审核", VersionStatus.SIGN_OFF: "审发"}.get(
        status, "审核"
    )
