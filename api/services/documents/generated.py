"""Documents the system writes from its own data and an office publishes in one act (the annual
report): found again by kind, publisher and title, so that publishing again makes a new version
of the same document; the 审发 step, with its confidentiality check, is recorded as for any other."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.actor import Actor
from api.models import Decision, Document, DocumentKind, DocumentStatus, DocumentVersion, Stage

from ..units import locate_organization
from .common import _editable_version, _event, _touch
from .content import DocumentFields, _apply_fields, add_draft
from .workflow import _publish


async def publish_generated(
    session: AsyncSession,
    actor: Actor,
    *,
    kind: DocumentKind,
    publisher_id: int,
    fields_: DocumentFields,
    comment: str,
) -> Document:
    """Create (or revise) the ``kind`` document of ``publisher_id`` titled ``fields_.title`` and
    publish it; no commit and no permission check: the caller checks, audits and commits."""
    _org, _unit, path = await locate_organization(session, publisher_id, "publisherId")
    assert fields_.title is not None
    doc = (
        await session.execute(
            select(Document)
            .join(DocumentVersion, DocumentVersion.id == Document.current_version_id)
            .where(
                Document.kind == kind,
                Document.publisher_id == publisher_id,
                Document.retracted_at.is_(None),
                DocumentVersion.title == fields_.title.strip(),
            )
            .order_by(Document.id)
            .limit(1)
        )
    ).scalar_one_or_none()
    if doc is None:
        doc = Document(kind=kind, publisher_id=publisher_id, scope_path=path, status=DocumentStatus.DRAFT)
        working = await add_draft(session, actor, doc, fields_)
    else:
        working = await _editable_version(session, actor, doc)
        await _apply_fields(session, working, doc, fields_)
        _event(session, actor, doc, working, Stage.EDIT)
    await session.flush()
    _event(session, actor, doc, working, Stage.SIGN_OFF, Decision.APPROVE, comment, True)
    await _publish(session, doc, working)
    doc.status = DocumentStatus.PUBLISHED
    _touch(doc)
    return doc
