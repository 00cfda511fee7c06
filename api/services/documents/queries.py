"""Reading documents: who sees what (``visible_clause``, ``shown_status``), the lists, the batches the
DataLoaders call, and the 解读 deadline."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Row, Select, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased, joinedload

from api import localtime
from api.auth.actor import Actor
from api.auth.scope import below, owned_by_organizations_of, unit_path
from api.localtime import midnight
from api.models import (
    Attachment,
    AttachmentSize,
    DisclosureAttribute,
    Document,
    DocumentEvent,
    DocumentKind,
    DocumentStatus,
    DocumentVersion,
    Domain,
    Organization,
)

from ..pages import (
    Key,
    Order,
    Page,
    Pages,
    Prepared,
    among,
    among_parameter,
    count_of_parts,
    counter_of_parts,
    fetch_page,
    grouped,
    kept,
)
from .common import POSTING_STEPS, STEPS


def can_read(actor: Actor, doc: Document) -> bool:
    return doc.public or actor.can("document", "read_staff", doc.scope_path)


def visible_clause(actor: Actor) -> ColumnElement[bool]:
    """The public sees published proactive/partial documents; staff also their scope's others."""
    if not _is_staff(actor):
        return Document.public.is_(True)  # as ix_documents_public_order's predicate is written
    return or_(Document.public.is_(True), _staff_clause(actor))


def _is_staff(actor: Actor) -> bool:
    return bool(actor.visible_paths("document", "read_staff"))


# The lists' order, newest first; drafts (no publication time) last for staff. Served by
# ix_documents_public_order and ix_documents_order (migration 0009).
_PUBLIC_ORDER = Order(
    "documents",
    (Key(Document.published_at, "published_at", nulls_last=True), Key(Document.id, "id")),
)
_STAFF_ORDER = Order(
    "documents",
    (Key(Document.published_at, "published_at", nulls_last=True, nullable=True), Key(Document.id, "id")),
)
_QUEUE_ORDER = Order(
    "review_queue",
    (Key(Document.updated_at, "updated_at", descending=False), Key(Document.id, "id", descending=False)),
)


def _order(actor: Actor) -> Order:
    return _STAFF_ORDER if _is_staff(actor) else _PUBLIC_ORDER


def _staff_clause(actor: Actor) -> ColumnElement[bool]:
    return actor.visible(Document.scope_path, "document", "read_staff")


def shown_status(actor: Actor, doc: Document) -> DocumentStatus:
    """The status the actor sees: staff of the document's scope (``read_staff``) the real one; the
    public, for a published document under revision, PUBLISHED (they see the published version)."""
    if doc.public and not actor.can("document", "read_staff", doc.scope_path):
        return DocumentStatus.PUBLISHED
    return doc.status


def _status_clause(actor: Actor, status: DocumentStatus) -> ColumnElement[bool]:
    """SQL twin of ``shown_status``: rows whose status, as the actor sees it, is ``status``."""
    staff = _staff_clause(actor)
    seen_by_public = Document.public.is_(True) & ~staff
    if status is DocumentStatus.PUBLISHED:
        return or_(Document.status == status, seen_by_public)
    return and_(Document.status == status, ~seen_by_public)


@dataclass
class DocumentFilter:
    unit_code: str | None = None
    include_descendants: bool = False
    organization_id: int | None = None
    domain_id: int | None = None
    kind: DocumentKind | None = None
    status: DocumentStatus | None = None
    attribute: DisclosureAttribute | None = None
    published_from: date | None = None
    published_to: date | None = None
    extra: list[ColumnElement[bool]] = field(default_factory=list)


_day_start = midnight


def _documents_query(actor: Actor, f: DocumentFilter) -> Select[Document]:
    stmt = select(Document).where(visible_clause(actor))
    if not _is_staff(actor):
        stmt = stmt.where(Document.published_at.is_not(None))  # public ones are; the keyset relies on it
    if f.unit_code is not None:
        path = unit_path(f.unit_code)
        owned = below if f.include_descendants else owned_by_organizations_of
        stmt = stmt.where(owned(Document.scope_path, path))
    if f.organization_id is not None:
        stmt = stmt.where(Document.publisher_id == f.organization_id)
    if f.kind is not None:
        stmt = stmt.where(Document.kind == f.kind)
    if f.status is not None:
        stmt = stmt.where(_status_clause(actor, f.status))
    if f.domain_id is not None or f.attribute is not None:
        stmt = stmt.join(DocumentVersion, DocumentVersion.id == Document.current_version_id)
        if f.domain_id is not None:
            stmt = stmt.where(DocumentVersion.domain_id == f.domain_id)
        if f.attribute is not None:
            stmt = stmt.where(DocumentVersion.attribute == f.attribute)
    if f.published_from is not None:
        stmt = stmt.where(Document.published_at >= _day_start(f.published_from))
    if f.published_to is not None:
        stmt = stmt.where(Document.published_at < _day_start(f.published_to + timedelta(days=1)))
    for clause in f.extra:
        stmt = stmt.where(clause)
    return stmt


def _review_queue_query(actor: Actor) -> Select[Document]:
    """What waits for a step the caller may take, oldest first."""
    actor.require_user()
    waiting = [
        and_(
            Document.status == DocumentStatus(status.value),
            (Document.kind == DocumentKind.VILLAGE_AFFAIRS) == (obj == "posting"),
            actor.visible(Document.scope_path, obj, perm),
        )
        for obj, steps in (("document", STEPS), ("posting", POSTING_STEPS))
        for status, (_stage, perm, _next) in steps.items()
    ]
    return select(Document).where(or_(*waiting))


async def list_documents(
    session: AsyncSession,
    actor: Actor,
    f: DocumentFilter,
    first: int | None = None,
    after: str | None = None,
    max_page_size: int | None = None,
) -> Page[Document]:
    """Newest first, as far as the actor may see them (``visible_clause``, in the query), each
    with its current version (``Document.current``) read in the same statement: whoever may see a
    document may read its current version (``_readable_versions``)."""
    stmt = _documents_query(actor, f).options(joinedload(Document.current))
    if max_page_size is not None:  # an export's longer page (api/services/channels/catalog.py)
        return await fetch_page(session, stmt, first, after, order=_order(actor), max_page_size=max_page_size)
    return await fetch_page(session, stmt, first, after, order=_order(actor))


# --- the same lists as rows: the compiled answers of trusted documents (schema/compiled.py) ---

# The document's columns every row holds; the others are asked for by name (``RowColumns``).
DOCUMENT_COLUMNS = (
    "id", "index_no", "kind", "status", "version", "is_policy", "public", "scope_path", "published_at",
    "first_published_at", "retracted_at", "retract_reason", "interpretation_due", "publisher_id",
    "current_version_id",
)  # fmt: skip


@dataclass(frozen=True)
class RowColumns:
    """What a row of ``list_document_rows`` holds besides ``DOCUMENT_COLUMNS``: columns of the
    current version (labelled ``v_<name>``), of the publisher (``p_<name>``) and of the current
    version's domain (``d_<name>``), joined in the page's statement."""

    version: tuple[str, ...] = ()
    publisher: tuple[str, ...] = ()
    domain: tuple[str, ...] = ()


async def list_document_rows(
    session: AsyncSession,
    actor: Actor,
    f: DocumentFilter,
    columns: RowColumns,
    first: int | None = None,
    after: str | None = None,
) -> Page[Row[Any]]:
    """``list_documents`` as rows of the columns asked for, in one statement: the same filter
    (``_documents_query``, the actor's ``visible_clause`` in it), order and cursors. The current
    version is whoever sees the document's to read (``_readable_versions``); publishers and
    domains are public. The statements of the unfiltered list are built once per actor's scope."""
    if f == DocumentFilter():
        pages, counting = _row_statements(columns, tuple(actor.visible_paths("document", "read_staff")), actor)
    else:
        pages, counting = _build_row_statements(columns, f, actor, once=True)
    return await pages.page(session, first, after, counter_of_parts(session, counting))


def _row_statements(columns: RowColumns, staff_paths: tuple[str, ...], actor: Actor) -> tuple[Pages, Prepared]:
    """The unfiltered list's statements, by the scope they are for (``staff_paths``: what
    ``_documents_query`` and ``_order`` read of the actor); built at most once per scope and columns."""
    key = (columns, staff_paths)
    return kept(
        _ROW_STATEMENTS, key, lambda: _build_row_statements(columns, DocumentFilter(), actor), _ROW_STATEMENTS_MAX
    )


_ROW_STATEMENTS: dict[tuple[RowColumns, tuple[str, ...]], tuple[Pages, Prepared]] = {}
_ROW_STATEMENTS_MAX = 512  # scopes (organizations and units of the signed-in staff) times documents


def _build_row_statements(
    columns: RowColumns, f: DocumentFilter, actor: Actor, once: bool = False
) -> tuple[Pages, Prepared]:
    """The pages of the list's rows of ``columns``, and the statement of its count."""
    base = _documents_query(actor, f)
    joined = f.domain_id is not None or f.attribute is not None  # _documents_query joined the version
    stmt = row_statement(base, columns, version_joined=joined)
    return Pages(stmt, _order(actor), once=once), count_of_parts([base], once=once)


def row_statement(
    base: Select[*tuple[Any, ...]], columns: RowColumns, *extra: Any, version_joined: bool = False
) -> Select[Any]:
    """``base`` (a statement of documents) as rows of ``DOCUMENT_COLUMNS`` and ``columns``, with
    the current version, the publisher and the domain joined as needed, and ``extra`` columns."""
    picked: list[Any] = [getattr(Document, name) for name in DOCUMENT_COLUMNS]
    picked += [getattr(DocumentVersion, name).label(f"v_{name}") for name in columns.version]
    picked += [getattr(Organization, name).label(f"p_{name}") for name in columns.publisher]
    picked += [getattr(Domain, name).label(f"d_{name}") for name in columns.domain]
    stmt = base.with_only_columns(*picked, *extra, maintain_column_froms=True)
    if (columns.version or columns.domain) and not version_joined:
        stmt = stmt.outerjoin(DocumentVersion, DocumentVersion.id == Document.current_version_id)
    if columns.publisher:
        stmt = stmt.outerjoin(Organization, Organization.id == Document.publisher_id)
    if columns.domain:
        stmt = stmt.outerjoin(Domain, Domain.id == DocumentVersion.domain_id)
    return stmt


async def public_document_rows(
    session: AsyncSession, actor: Actor, columns: RowColumns, ids: Sequence[int]
) -> dict[int, Any]:
    """The rows (as ``list_document_rows`` makes them) of the public documents among ``ids``, by id:
    what a search shows of its hits."""
    staff_paths = tuple(actor.visible_paths("document", "read_staff"))

    def make() -> Prepared:
        pages, _ = _row_statements(columns, staff_paths, actor)

        def build(dialect: str) -> Select[*tuple[Any, ...]]:
            return pages.stmt.where(among_parameter(dialect, Document.id, "ids"), Document.public.is_(True))

        return Prepared(build)

    prepared = kept(_PUBLIC_ROWS, (columns, staff_paths), make, _ROW_STATEMENTS_MAX)
    return {row.id: row for row in await prepared.rows(session, ids=list(ids))}


_PUBLIC_ROWS: dict[tuple[RowColumns, tuple[str, ...]], Prepared] = {}


async def attachment_rows_of_versions(
    session: AsyncSession, actor: Actor, version_ids: Sequence[int]
) -> list[list[Any]]:
    """``attachments_of_versions`` as rows (id, version_id, filename, content_type, size, sha256)."""
    groups: dict[int, list[Any]] = defaultdict(list)
    for row in await _attachment_rows(actor).rows(session, ids=list(version_ids)):
        groups[row.version_id].append(row)
    return [groups.get(v, []) for v in version_ids]


def _attachment_rows(actor: Actor) -> Prepared:
    """``attachment_rows_of_versions``'s statement, made once per scope the actor reads."""

    def make() -> Prepared:
        readable = _readable_versions(actor)

        def build(dialect: str) -> Select[*tuple[Any, ...]]:
            return (
                select(
                    Attachment.id, Attachment.version_id, Attachment.filename, Attachment.content_type,
                    Attachment.size, Attachment.sha256,
                )
                .join(DocumentVersion, DocumentVersion.id == Attachment.version_id)
                .join(Document, Document.id == DocumentVersion.document_id)
                .where(among_parameter(dialect, Attachment.version_id, "ids"), readable)
                .order_by(Attachment.position, Attachment.id)
            )  # fmt: skip

        return Prepared(build)

    key = tuple(actor.visible_paths("document", "read_staff"))
    return kept(_ATTACHMENT_ROWS, key, make, _ROW_STATEMENTS_MAX)


_ATTACHMENT_ROWS: dict[tuple[str, ...], Prepared] = {}


async def list_review_queue(
    session: AsyncSession, actor: Actor, first: int | None = None, after: str | None = None
) -> Page[Document]:
    """What waits for a step the actor may take, oldest first."""
    return await fetch_page(session, _review_queue_query(actor), first, after, order=_QUEUE_ORDER)


async def documents_by_ids(session: AsyncSession, actor: Actor, ids: Sequence[int]) -> list[Document | None]:
    """By id, as far as the actor may read them (``visible_clause``, in the query)."""
    # With the current version, readable by whoever may read the document (``_readable_versions``).
    stmt = (
        select(Document)
        .where(among(session, Document.id, ids), visible_clause(actor))
        .options(joinedload(Document.current))
    )
    found = {d.id: d for d in (await session.execute(stmt)).scalars()}
    return [found.get(i) for i in ids]


def _readable_versions(actor: Actor) -> ColumnElement[bool]:
    """A version is read with its document: staff of the scope read every version, everybody else
    only the published (current) version of a public document."""
    return or_(
        _staff_clause(actor),
        and_(Document.public.is_(True), Document.current_version_id == DocumentVersion.id),
    )


async def versions_by_ids(session: AsyncSession, actor: Actor, ids: Sequence[int]) -> list[DocumentVersion | None]:
    stmt = (
        select(DocumentVersion)
        .join(Document, Document.id == DocumentVersion.document_id)
        .where(among(session, DocumentVersion.id, ids), _readable_versions(actor))
    )
    found = {v.id: v for v in (await session.execute(stmt)).scalars()}
    return [found.get(i) for i in ids]


async def attachments_of_versions(
    session: AsyncSession, actor: Actor, version_ids: Sequence[int]
) -> list[list[Attachment]]:
    stmt = (
        select(Attachment)
        .join(DocumentVersion, DocumentVersion.id == Attachment.version_id)
        .join(Document, Document.id == DocumentVersion.document_id)
        .where(among(session, Attachment.version_id, version_ids), _readable_versions(actor))
        .order_by(Attachment.position, Attachment.id)
    )
    return await grouped(session, stmt, "version_id", version_ids)


async def sizes_of_attachments(
    session: AsyncSession, actor: Actor, attachment_ids: Sequence[int]
) -> list[list[AttachmentSize]]:
    """The smaller copies of each photo attachment, smallest first, as far as the actor may read
    the attachment (``_readable_versions``)."""
    stmt = (
        select(AttachmentSize)
        .join(Attachment, Attachment.id == AttachmentSize.attachment_id)
        .join(DocumentVersion, DocumentVersion.id == Attachment.version_id)
        .join(Document, Document.id == DocumentVersion.document_id)
        .where(among(session, AttachmentSize.attachment_id, attachment_ids), _readable_versions(actor))
        .order_by(AttachmentSize.long_side)
    )
    return await grouped(session, stmt, "attachment_id", attachment_ids)


async def versions_of_documents(
    session: AsyncSession, actor: Actor, doc_ids: Sequence[int]
) -> list[list[DocumentVersion]]:
    """Every version of each document, for staff of its scope (the public: none)."""
    stmt = (
        select(DocumentVersion)
        .join(Document, Document.id == DocumentVersion.document_id)
        .where(among(session, DocumentVersion.document_id, doc_ids), _staff_clause(actor))
        .order_by(DocumentVersion.number)
    )
    return await grouped(session, stmt, "document_id", doc_ids)


async def events_of_documents(session: AsyncSession, actor: Actor, doc_ids: Sequence[int]) -> list[list[DocumentEvent]]:
    """The history of each document, for staff of its scope (the public: none)."""
    stmt = (
        select(DocumentEvent)
        .join(Document, Document.id == DocumentEvent.document_id)
        .where(among(session, DocumentEvent.document_id, doc_ids), _staff_clause(actor))
        .order_by(DocumentEvent.id)
    )
    return await grouped(session, stmt, "document_id", doc_ids)


def _interpretations(doc_ids: Sequence[int]) -> Select[Document]:
    return (
        select(Document)
        .where(
            Document.interprets_id.in_(doc_ids),
            Document.kind == DocumentKind.POLICY_INTERPRETATION,
            Document.index_no.is_not(None),
            Document.retracted_at.is_(None),
        )
        .order_by(Document.id)
    )


async def have_published_interpretation(session: AsyncSession, doc_ids: Sequence[int]) -> list[bool]:
    """Whether each policy has a published, not retracted interpretation (the overdue flag; a
    fact about the policy, true whoever asks, and no document is returned)."""
    groups = await grouped(session, _interpretations(doc_ids), "interprets_id", doc_ids)
    return [bool(g) for g in groups]


async def interpretations_of_policies(
    session: AsyncSession, actor: Actor, doc_ids: Sequence[int]
) -> list[list[Document]]:
    """The published interpretations of each policy, as far as the actor may read them."""
    stmt = _interpretations(doc_ids).where(visible_clause(actor))
    return await grouped(session, stmt, "interprets_id", doc_ids)


async def find_by_index_no(session: AsyncSession, actor: Actor, index_no: str) -> Document | None:
    stmt = select(Document).where(Document.index_no == index_no.strip(), visible_clause(actor))
    return (await session.execute(stmt)).scalar_one_or_none()


async def overdue_interpretations(
    session: AsyncSession, actor: Actor, unit_code: str, first: int | None = None, after: str | None = None
) -> Page[Document]:
    """The policies of the unit's organizations and those below whose interpretation is overdue
    (``interpretation_overdue``, in SQL): published, not retracted, past the due day, and no
    published interpretation. Longest overdue first; for those who read the unit's reports."""
    path = unit_path(unit_code)
    actor.require("report", "read", path)
    published = _interpretations_of(Document.id)
    stmt = (
        select(Document)
        .where(
            visible_clause(actor), below(Document.scope_path, path), Document.is_policy.is_(True),
            Document.retracted_at.is_(None), Document.index_no.is_not(None),
            Document.interpretation_due < localtime.today(), ~published,
        )
        .options(joinedload(Document.current))
        .order_by(Document.interpretation_due, Document.id)
    )  # fmt: skip
    return await fetch_page(session, stmt, first, after)


def _interpretations_of(policy_id: Any) -> ColumnElement[bool]:
    """A published, not retracted interpretation of ``policy_id`` (``_interpretations``' rule)."""
    interpretation = aliased(Document)
    return (
        select(interpretation.id)
        .where(
            interpretation.interprets_id == policy_id,
            interpretation.kind == DocumentKind.POLICY_INTERPRETATION,
            interpretation.index_no.is_not(None),
            interpretation.retracted_at.is_(None),
        )
        .exists()
    )


def interpretation_overdue(doc: Document, has_published_interpretation: bool, today: date | None = None) -> bool:
    """tiexi-2016: a policy's interpretation is published within 3 working days of the policy."""
    if not doc.is_policy or doc.interpretation_due is None or doc.retracted_at is not None:
        return False
    today = today or localtime.today()
    return not has_published_interpretation and today > doc.interpretation_due
