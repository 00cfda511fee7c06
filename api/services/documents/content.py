"""A document's content: the sanitized body, the fields of a draft, creating a document and editing its
working version."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import nh3
from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.actor import Actor
from api.auth.scope import county_path
from api.codes import DocumentsCode
from api.db import commit
from api.errors import Conflict, UserInputError
from api.models import (
    AdminUnit,
    BodyFormat,
    CatalogItem,
    DisclosureAttribute,
    Document,
    DocumentKind,
    DocumentStatus,
    DocumentVersion,
    Organization,
    OrganizationKind,
    Stage,
    Validity,
    VersionStatus,
    VillagePowerItem,
)
from api.storage import Storage

from .. import audit
from ..domains import get_domain
from ..units import locate_organization
from .attachments import Upload, _store_files
from .common import ATTRIBUTE_NAMES, _editable_version, _event, _load, _obj, _touch
from .numbering import parse_doc_number

ALLOWED_TAGS = {
    "p", "br", "strong", "b", "em", "i", "u", "h1", "h2", "h3", "h4", "ul", "ol", "li", "table", "thead",
    "tbody", "tr", "th", "td", "blockquote", "a", "span", "sub", "sup", "hr",
}  # fmt: skip


def sanitize_body(body: str, body_format: BodyFormat) -> str:
    if body_format is BodyFormat.TEXT:
        return body
    return nh3.clean(
        body,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href", "title"}, "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )


@dataclass
class DocumentFields:
    """Content of a version; on update, None means "leave as it is"."""

    title: str | None = None
    summary: str | None = None
    body: str | None = None
    body_format: BodyFormat | None = None
    issuing_organization_id: int | None = None
    issuing_name: str | None = None
    doc_number: str | None = None
    written_on: date | None = None
    topic: str | None = None
    genre: str | None = None
    keywords: list[str] | None = None
    domain_code: str | None = None
    attribute: DisclosureAttribute | None = None
    attribute_reason: str | None = None
    validity: Validity | None = None
    channels: list[str] | None = None
    is_policy: bool | None = None
    catalog_item_id: int | None = None  # 0 removes the filing
    village_item_id: int | None = None


async def _apply_fields(session: AsyncSession, version: DocumentVersion, doc: Document, f: DocumentFields) -> None:
    if f.title is not None:
        version.title = f.title.strip()
    if f.summary is not None:
        version.summary = f.summary.strip()
    if f.body_format is not None:
        version.body_format = f.body_format
    if f.body is not None or f.body_format is not None:
        version.body = sanitize_body(f.body if f.body is not None else version.body, version.body_format)
    if f.issuing_organization_id is not None:
        issuer = await session.get(Organization, f.issuing_organization_id)
        if issuer is None:
            raise UserInputError("issuingOrganizationId", DocumentsCode.NOT_FOUND, "找不到发文机关")
        version.issuing_organization_id = issuer.id
        version.issuing_name = issuer.name
    if f.issuing_name is not None:
        version.issuing_name = f.issuing_name.strip()
    if f.doc_number is not None:
        if f.doc_number.strip():
            number = parse_doc_number(f.doc_number)
            version.doc_number, version.doc_number_agency = number.text, number.agency
            version.doc_number_year, version.doc_number_serial = number.year, number.serial
        else:
            version.doc_number = version.doc_number_agency = None
            version.doc_number_year = version.doc_number_serial = None
    if f.written_on is not None:
        version.written_on = f.written_on
    for attr in ("topic", "genre"):
        value = getattr(f, attr)
        if value is not None:
            setattr(version, attr, value.strip())
    if f.keywords is not None:
        version.keywords = [k.strip() for k in f.keywords if k.strip()]
    if f.channels is not None:
        version.channels = [c.strip() for c in f.channels if c.strip()]
    if f.domain_code is not None:
        version.domain_id = (await get_domain(session, f.domain_code)).id if f.domain_code.strip() else None
    if f.attribute is not None:
        version.attribute = f.attribute
    if f.attribute_reason is not None:
        version.attribute_reason = f.attribute_reason.strip() or None
    if f.validity is not None:
        version.validity = f.validity
    if f.is_policy is not None:
        doc.is_policy = f.is_policy
    if f.catalog_item_id is not None:
        doc.catalog_item_id = await _catalog_item(session, doc, f.catalog_item_id) if f.catalog_item_id else None
    if f.village_item_id is not None:
        doc.village_item_id = await _village_item(session, doc, f.village_item_id)
    _check_version(version)


async def _catalog_item(session: AsyncSession, doc: Document, item_id: int) -> int:
    item = await session.get(CatalogItem, item_id)
    if item is None:
        raise UserInputError("catalogItemId", DocumentsCode.NOT_FOUND, "找不到该目录事项")
    county = await session.get(AdminUnit, item.county_id)
    if county is None or county.scope_path != county_path(doc.scope_path):
        raise UserInputError("catalogItemId", DocumentsCode.OUTSIDE_COUNTY, "该目录事项不属于发布单位所在的县（区）")
    return item.id


async def _village_item(session: AsyncSession, doc: Document, item_id: int) -> int:
    item = await session.get(VillagePowerItem, item_id)
    publisher = await session.get(Organization, doc.publisher_id)
    if item is None or publisher is None or item.village_id != publisher.unit_id:
        raise UserInputError("villageItemId", DocumentsCode.NOT_IN_VILLAGE, "该事项不在本村的小微权力清单中")
    if not item.applicable:
        raise UserInputError("villageItemId", DocumentsCode.NOT_APPLICABLE, "该事项已标记为本村不适用")
    return item.id


def _check_version(version: DocumentVersion) -> None:
    if not (version.title or "").strip():
        raise UserInputError("title", DocumentsCode.REQUIRED, "标题不能为空")
    if len(version.title) > 300:
        raise UserInputError("title", DocumentsCode.TOO_LONG, "标题不能超过300个字")
    if version.attribute is not DisclosureAttribute.PROACTIVE and not version.attribute_reason:
        raise UserInputError(
            "attributeReason",
            DocumentsCode.REASON_REQUIRED,
            f"公开属性为“{ATTRIBUTE_NAMES[version.attribute]}”时须说明理由",
        )
    if version.attribute is DisclosureAttribute.PROACTIVE:
        version.attribute_reason = None


async def create_document(
    session: AsyncSession,
    actor: Actor,
    storage: Storage,
    *,
    publisher_id: int,
    kind: DocumentKind,
    fields_: DocumentFields,
    files: Sequence[Upload] = (),
    tmp_dir: Path,
    max_bytes: int,
    demo: bool = False,
) -> Document:
    publisher, _unit, path = await locate_organization(session, publisher_id, "publisherId")
    doc = Document(kind=kind, publisher_id=publisher.id, scope_path=path, status=DocumentStatus.DRAFT, demo=demo)
    actor.require(_obj(doc), "create", path)
    if fields_.attribute is None:
        raise UserInputError("attribute", DocumentsCode.REQUIRED, "拟稿时须确定公开属性")
    if kind is DocumentKind.ANNUAL_REPORT:
        raise UserInputError(
            "kind", DocumentsCode.GENERATED_KIND, "年度报告由政务公开办在“年度报告”中发布生成，不能直接拟稿"
        )
    if kind is DocumentKind.VILLAGE_AFFAIRS:
        if publisher.kind is not OrganizationKind.VILLAGE_COMMITTEE:
            raise UserInputError("publisherId", DocumentsCode.NOT_VILLAGE, "村务公开只能由村（居）委会发布")
        if not fields_.village_item_id:
            raise UserInputError("villageItemId", DocumentsCode.REQUIRED, "村务公开须对应本村小微权力清单中的一项")
    version = await add_draft(session, actor, doc, fields_)
    audit.record(session, actor, "document.create", "Document", doc.id, path, f"拟稿：{version.title}")
    await _store_files(session, actor, storage, doc, version, files, tmp_dir, max_bytes)
    return doc


async def add_draft(
    session: AsyncSession, actor: Actor, doc: Document, fields_: DocumentFields, note: str = ""
) -> DocumentVersion:
    """Store a new document with its first version, a draft, and the CREATE event; no commit, so
    that the caller's own change and audit row go in the same transaction."""
    assert fields_.attribute is not None
    session.add(doc)
    await session.flush()
    version = DocumentVersion(
        document_id=doc.id,
        number=1,
        status=VersionStatus.DRAFT,
        title="",
        attribute=fields_.attribute,
        body_format=BodyFormat.TEXT,
        validity=Validity.VALID,
        keywords=[],
        channels=[],
        created_by_id=actor.user_id,
    )
    await _apply_fields(session, version, doc, fields_)
    session.add(version)
    await session.flush()
    doc.current_version_id = doc.working_version_id = version.id
    _event(session, actor, doc, version, Stage.CREATE, comment=note)
    return version


async def update_document(
    session: AsyncSession, actor: Actor, *, document_id: int, version: int, fields_: DocumentFields
) -> Document:
    doc = await _load(session, document_id)
    actor.require(_obj(doc), "edit", doc.scope_path)
    if version != doc.version:
        raise Conflict()
    draft = await _editable_version(session, actor, doc)
    await _apply_fields(session, draft, doc, fields_)
    _event(session, actor, doc, draft, Stage.EDIT)
    _touch(doc)
    audit.record(session, actor, "document.update", "Document", doc.id, doc.scope_path, f"修改：{draft.title}")
    await commit(session)
    return doc
