"""Publishing: drafts through the three-step review (三审) to a 索引号; versions, retraction,
attachments and interpretations (解读).

huili-2016: 承办人员初审、承办部门负责人审核、单位负责人审发; 一事一审; 先审查、后公开.
yintai plan: the disclosure attribute (主动/部分/依申请/不予公开) is decided with the draft, and
a reason is given when it is not proactive.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import BinaryIO
from zoneinfo import ZoneInfo

import nh3
from sqlalchemy import ColumnElement, Select, and_, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.actor import Actor
from api.auth.scope import unit_path
from api.db import commit_or_conflict
from api.errors import Conflict, Forbidden, UserInputError
from api.models import (
    AdminUnit,
    Attachment,
    BodyFormat,
    CatalogItem,
    Decision,
    DisclosureAttribute,
    Document,
    DocumentEvent,
    DocumentKind,
    DocumentStatus,
    DocumentVersion,
    IndexCounter,
    Organization,
    OrganizationKind,
    Stage,
    Validity,
    VersionStatus,
    VillagePowerItem,
)
from api.models.base import utcnow
from api.models.documents import PUBLIC_ATTRIBUTES
from api.storage import JPEG, PNG, StagedFile, Storage, stage
from api.workdays import add_working_days

from . import audit, search
from .domains import get_domain
from .pages import Page, by_ids, fetch_page, grouped
from .units import locate_organization

CHINA = ZoneInfo("Asia/Shanghai")
DEFAULT_INDEX_SCHEME = "{credit_code}/{year}-{serial:05d}"
INTERPRETATION_WORKING_DAYS = 3
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


# --- 发文字号 ---

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
            "INVALID_DOC_NUMBER",
            f"发文字号“{raw}”格式不正确，应为“机关代字〔年份〕序号号”，如“会理府办发〔2016〕107号”",
        )
    year = int(match["year"])
    if not 1949 <= year <= 2100:
        raise UserInputError(field, "INVALID_DOC_NUMBER", f"发文字号中的年份“{year}”不正确")
    agency, serial = match["agency"], int(match["serial"])
    return DocNumber(f"{agency}〔{year}〕{serial}号", agency, year, serial)


# --- body ---

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


# --- inputs ---


@dataclass
class Upload:
    filename: str
    stream: BinaryIO


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


CONTENT_ATTRS = (
    "title", "summary", "body", "body_format", "issuing_organization_id", "issuing_name", "doc_number",
    "doc_number_agency", "doc_number_year", "doc_number_serial", "written_on", "topic", "genre", "keywords",
    "domain_id", "attribute", "attribute_reason", "validity", "channels",
)  # fmt: skip


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
            raise UserInputError("issuingOrganizationId", "NOT_FOUND", "找不到发文机关")
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
        raise UserInputError("catalogItemId", "NOT_FOUND", "找不到该目录事项")
    county = await session.get(AdminUnit, item.county_id)
    if county is None or county.scope_path != _county_path(doc.scope_path):
        raise UserInputError("catalogItemId", "OUTSIDE_COUNTY", "该目录事项不属于发布单位所在的县（区）")
    return item.id


def _county_path(scope_path: str) -> str:
    return scope_path.split("/", 1)[0]


async def _village_item(session: AsyncSession, doc: Document, item_id: int) -> int:
    item = await session.get(VillagePowerItem, item_id)
    publisher = await session.get(Organization, doc.publisher_id)
    if item is None or publisher is None or item.village_id != publisher.unit_id:
        raise UserInputError("villageItemId", "NOT_IN_VILLAGE", "该事项不在本村的小微权力清单中")
    if not item.applicable:
        raise UserInputError("villageItemId", "NOT_APPLICABLE", "该事项已标记为本村不适用")
    return item.id


def _obj(doc: Document) -> str:
    """Village postings have permissions of their own (posters and the town's approver)."""
    return "posting" if doc.kind is DocumentKind.VILLAGE_AFFAIRS else "document"


def _steps(doc: Document) -> dict[VersionStatus, tuple[Stage, str, VersionStatus | None]]:
    return POSTING_STEPS if doc.kind is DocumentKind.VILLAGE_AFFAIRS else STEPS


def _check_version(version: DocumentVersion) -> None:
    if not (version.title or "").strip():
        raise UserInputError("title", "REQUIRED", "标题不能为空")
    if len(version.title) > 300:
        raise UserInputError("title", "TOO_LONG", "标题不能超过300个字")
    if version.attribute is not DisclosureAttribute.PROACTIVE and not version.attribute_reason:
        raise UserInputError(
            "attributeReason",
            "REASON_REQUIRED",
            f"公开属性为“{ATTRIBUTE_NAMES[version.attribute]}”时须说明理由",
        )
    if version.attribute is DisclosureAttribute.PROACTIVE:
        version.attribute_reason = None


# --- helpers ---


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
        raise UserInputError("id", "NOT_FOUND", "找不到该文件")
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


_commit = commit_or_conflict


def _touch(doc: Document) -> None:
    # Every change to a document moves its version, also when only a version row changed.
    doc.updated_at = utcnow()


# --- create, edit ---


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
        raise UserInputError("attribute", "REQUIRED", "拟稿时须确定公开属性")
    if kind is DocumentKind.VILLAGE_AFFAIRS:
        if publisher.kind is not OrganizationKind.VILLAGE_COMMITTEE:
            raise UserInputError("publisherId", "NOT_VILLAGE", "村务公开只能由村（居）委会发布")
        if not fields_.village_item_id:
            raise UserInputError("villageItemId", "REQUIRED", "村务公开须对应本村小微权力清单中的一项")
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


async def _editable_version(session: AsyncSession, actor: Actor, doc: Document) -> DocumentVersion:
    """The draft to change: the working draft, or a new version copied from the published one."""
    if doc.retracted_at is not None:
        raise UserInputError("id", "ILLEGAL_TRANSITION", "已撤回的文件不能修改")
    working = await _version(session, doc.working_version_id)
    if working is not None:
        if working.status is not VersionStatus.DRAFT:
            raise UserInputError(
                "id", "ILLEGAL_TRANSITION", f"文件正在{_waiting_name(working.status)}，须退回后才能修改"
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
    for a in old:
        session.add(
            Attachment(
                document_id=doc.id,
                version_id=copy.id,
                filename=a.filename,
                content_type=a.content_type,
                size=a.size,
                sha256=a.sha256,
                position=a.position,
                created_by_id=a.created_by_id,
            )
        )
    doc.working_version_id = copy.id
    doc.status = DocumentStatus.DRAFT
    return copy


def _waiting_name(status: VersionStatus) -> str:
    return {VersionStatus.FIRST_REVIEW: "初审", VersionStatus.REVIEW: "审核", VersionStatus.SIGN_OFF: "审发"}.get(
        status, "审核"
    )


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
    await _commit(session)
    return doc


# --- attachments ---


async def _store_files(
    session: AsyncSession,
    actor: Actor,
    storage: Storage,
    doc: Document,
    version: DocumentVersion,
    files: Sequence[Upload],
    tmp_dir: Path,
    max_bytes: int,
) -> None:
    """Check every file first, then store and commit; on any failure nothing stays behind."""
    staged: list[StagedFile] = []
    created: list[str] = []
    try:
        for i, upload in enumerate(files):
            staged.append(stage(upload.stream, upload.filename, tmp_dir, max_bytes, f"files.{i}"))
            if doc.kind is DocumentKind.VILLAGE_AFFAIRS and staged[-1].kind not in (JPEG, PNG):
                raise UserInputError(
                    f"files.{i}", "PHOTOS_ONLY", f"村务公开只能上传照片（JPEG、PNG），“{upload.filename}”不是照片"
                )
        start = (
            await session.execute(
                select(func.coalesce(func.max(Attachment.position), -1)).where(Attachment.version_id == version.id)
            )
        ).scalar_one()
        for i, s in enumerate(staged, start=start + 1):
            session.add(
                Attachment(
                    document_id=doc.id,
                    version_id=version.id,
                    filename=s.filename,
                    content_type=s.kind.content_type,
                    size=s.size,
                    sha256=s.sha256,
                    position=i,
                    created_by_id=actor.user_id,
                )
            )
        await session.flush()
        for s in staged:
            if storage.put(s.sha256, s.temp):
                created.append(s.sha256)
        await _commit(session)
    except BaseException:
        for s in staged:
            s.temp.unlink(missing_ok=True)
        for sha in created:
            storage.delete(sha)
        raise


async def add_attachments(
    session: AsyncSession,
    actor: Actor,
    storage: Storage,
    *,
    document_id: int,
    files: Sequence[Upload],
    tmp_dir: Path,
    max_bytes: int,
) -> Document:
    doc = await _load(session, document_id)
    actor.require(_obj(doc), "edit", doc.scope_path)
    if not files:
        raise UserInputError("files", "REQUIRED", "请选择要上传的文件")
    draft = await _editable_version(session, actor, doc)
    _event(session, actor, doc, draft, Stage.ATTACH, comment=f"{len(files)}个附件")
    _touch(doc)
    audit.record(session, actor, "document.attach", "Document", doc.id, doc.scope_path, f"上传附件{len(files)}个")
    await _store_files(session, actor, storage, doc, draft, files, tmp_dir, max_bytes)
    return doc


# --- workflow ---


async def submit_document(session: AsyncSession, actor: Actor, *, document_id: int, version: int) -> Document:
    doc = await _load(session, document_id)
    actor.require(_obj(doc), "submit", doc.scope_path)
    if version != doc.version:
        raise Conflict()
    working = await _version(session, doc.working_version_id)
    if doc.retracted_at is not None or working is None or working.status is not VersionStatus.DRAFT:
        raise UserInputError("id", "ILLEGAL_TRANSITION", "只有草稿可以提交审核")
    posting = doc.kind is DocumentKind.VILLAGE_AFFAIRS
    working.status = VersionStatus.SIGN_OFF if posting else VersionStatus.FIRST_REVIEW
    doc.status = _derive_status(doc, working)
    _event(session, actor, doc, working, Stage.SUBMIT)
    _touch(doc)
    audit.record(session, actor, "document.submit", "Document", doc.id, doc.scope_path, f"提交初审：{working.title}")
    await _commit(session)
    return doc


async def review_document(
    session: AsyncSession,
    actor: Actor,
    *,
    document_id: int,
    version: int,
    decision: Decision,
    comment: str = "",
    confidentiality_checked: bool | None = None,
) -> Document:
    doc = await _load(session, document_id)
    actor.require("document", "read_staff", doc.scope_path)
    if version != doc.version:
        raise Conflict()
    working = await _version(session, doc.working_version_id)
    steps = _steps(doc)
    if doc.retracted_at is not None or working is None or working.status not in steps:
        raise UserInputError("id", "ILLEGAL_TRANSITION", "该文件没有等待审核的版本")
    stage_, permission, following = steps[working.status]
    actor.require(_obj(doc), permission, doc.scope_path)
    comment = (comment or "").strip()
    if decision is Decision.RETURN and not comment:
        raise UserInputError("comment", "COMMENT_REQUIRED", "退回时须填写退回意见")
    await _check_one_step_per_person(session, actor, working, stage_)
    if decision is Decision.APPROVE and stage_ is Stage.SIGN_OFF and not confidentiality_checked:
        raise UserInputError("confidentialityChecked", "CONFIDENTIALITY_CHECK_REQUIRED", "审发前须完成保密审查")
    _event(session, actor, doc, working, stage_, decision, comment, confidentiality_checked)
    name = STAGE_NAMES[stage_]
    if decision is Decision.RETURN:
        working.status = VersionStatus.DRAFT
        summary = f"{name}退回：{working.title}（{comment}）"
    elif following is not None:
        working.status = following
        summary = f"{name}通过：{working.title}"
    else:
        await _publish(session, doc, working)
        summary = f"审发并发布：{working.title}，索引号 {doc.index_no}"
    doc.status = _derive_status(doc, await _version(session, doc.working_version_id))
    _touch(doc)
    audit.record(session, actor, f"{_obj(doc)}.{stage_.value.lower()}", "Document", doc.id, doc.scope_path, summary)
    await _commit(session)
    return doc


async def _check_one_step_per_person(
    session: AsyncSession, actor: Actor, working: DocumentVersion, stage_: Stage
) -> None:
    """一事一审 by three people: who approved one of the three steps may not do another."""
    if actor.user_id is None:
        return
    done = (
        await session.execute(
            select(DocumentEvent.stage).where(
                DocumentEvent.version_id == working.id,
                DocumentEvent.actor_id == actor.user_id,
                DocumentEvent.decision == Decision.APPROVE,
                DocumentEvent.stage.in_(list(STAGE_NAMES)),
            )
        )
    ).scalars()
    other = {s for s in done if s is not stage_}
    if other:
        names = "、".join(STAGE_NAMES[s] for s in other)
        raise UserInputError(
            "id", "SAME_REVIEWER", f"您已在本文件上完成{names}，同一人不能再做{STAGE_NAMES[stage_]}，请由他人办理"
        )


async def _next_serial(session: AsyncSession, organization_id: int, year: int) -> int:
    """The next serial for the organization and year, gap-free: the counter row is bumped in the
    publication's own transaction (the UPDATE locks the row until commit; a rollback undoes it)."""
    dialect = session.bind.dialect.name if session.bind else "sqlite"
    values = {"organization_id": organization_id, "year": year, "last_serial": 0}
    if dialect == "postgresql":
        ensure = postgresql.insert(IndexCounter).values(**values).on_conflict_do_nothing()
    else:
        ensure = sqlite.insert(IndexCounter).values(**values).on_conflict_do_nothing()
    await session.execute(ensure)
    bumped = await session.execute(
        update(IndexCounter)
        .where(IndexCounter.organization_id == organization_id, IndexCounter.year == year)
        .values(last_serial=IndexCounter.last_serial + 1)
        .returning(IndexCounter.last_serial)
    )
    return int(bumped.scalar_one())


def format_index_no(scheme: str | None, org: Organization, year: int, serial: int) -> str:
    return (scheme or DEFAULT_INDEX_SCHEME).format(
        credit_code=org.credit_code or "", org_id=org.id, year=year, serial=serial
    )


def check_index_scheme(scheme: str, field: str = "indexScheme") -> str:
    scheme = scheme.strip()
    if "{serial" not in scheme or "{year" not in scheme:
        raise UserInputError(field, "INVALID_INDEX_SCHEME", "索引号规则须包含{year}和{serial}")
    try:
        scheme.format(credit_code="X" * 18, org_id=1, year=2026, serial=1)
    except (KeyError, ValueError, IndexError) as exc:
        raise UserInputError(
            field, "INVALID_INDEX_SCHEME", "索引号规则只能使用{credit_code}、{org_id}、{year}、{serial}"
        ) from exc
    return scheme


async def _publish(session: AsyncSession, doc: Document, working: DocumentVersion) -> None:
    now = utcnow()
    local_day = now.astimezone(CHINA).date()
    if doc.index_no is None:
        org = await session.get(Organization, doc.publisher_id)
        assert org is not None
        if not org.index_scheme and not org.credit_code:
            raise UserInputError(
                "id", "NO_CREDIT_CODE", f"“{org.name}”没有统一社会信用代码，无法生成索引号；请先补全单位信息"
            )
        serial = await _next_serial(session, org.id, local_day.year)
        doc.index_no = format_index_no(org.index_scheme, org, local_day.year, serial)
        doc.index_year, doc.index_serial = local_day.year, serial
        doc.first_published_at = now
    previous = await _version(session, doc.current_version_id)
    if previous is not None and previous.id != working.id and previous.status is VersionStatus.PUBLISHED:
        previous.status = VersionStatus.SUPERSEDED
    working.status = VersionStatus.PUBLISHED
    working.published_at = now
    doc.current_version_id = working.id
    doc.working_version_id = None
    doc.published_at = now
    doc.public = working.attribute in PUBLIC_ATTRIBUTES
    if doc.is_policy and doc.interpretation_due is None:
        doc.interpretation_due, doc.interpretation_due_provisional = add_working_days(
            local_day, INTERPRETATION_WORKING_DAYS
        )
    await search.index_document(session, doc, working)


async def retract_document(
    session: AsyncSession, actor: Actor, *, document_id: int, version: int, reason: str
) -> Document:
    doc = await _load(session, document_id)
    actor.require("document", "retract", doc.scope_path)
    if version != doc.version:
        raise Conflict()
    if doc.index_no is None:
        raise UserInputError("id", "ILLEGAL_TRANSITION", "文件尚未发布，无需撤回")
    if doc.retracted_at is not None:
        raise UserInputError("id", "ILLEGAL_TRANSITION", "文件已撤回")
    reason = (reason or "").strip()
    if not reason:
        raise UserInputError("reason", "REASON_REQUIRED", "撤回须说明理由")
    doc.retracted_at = utcnow()
    doc.retract_reason = reason
    doc.public = False
    doc.status = DocumentStatus.RETRACTED
    _event(session, actor, doc, None, Stage.RETRACT, comment=reason)
    _touch(doc)
    summary = f"撤回 {doc.index_no}：{reason}"
    audit.record(session, actor, "document.retract", "Document", doc.id, doc.scope_path, summary)
    await search.remove_document(session, doc)
    await _commit(session)
    return doc


async def link_interpretation(
    session: AsyncSession, actor: Actor, *, interpretation_id: int, policy_id: int
) -> Document:
    interpretation = await _load(session, interpretation_id)
    actor.require("document", "edit", interpretation.scope_path)
    if interpretation.kind is not DocumentKind.POLICY_INTERPRETATION:
        raise UserInputError("interpretationId", "NOT_INTERPRETATION", "只有“政策解读”类文件可以关联被解读的政策")
    policy = await session.get(Document, policy_id)
    if policy is None or not can_read(actor, policy):
        raise UserInputError("policyId", "NOT_FOUND", "找不到被解读的政策文件")
    if policy.kind is DocumentKind.POLICY_INTERPRETATION:
        raise UserInputError("policyId", "NOT_POLICY", "不能解读一篇解读")
    interpretation.interprets_id = policy.id
    if not policy.is_policy:
        policy.is_policy = True
        if policy.first_published_at is not None and policy.interpretation_due is None:
            day = policy.first_published_at.astimezone(CHINA).date()
            policy.interpretation_due, policy.interpretation_due_provisional = add_working_days(
                day, INTERPRETATION_WORKING_DAYS
            )
        _touch(policy)
    _event(session, actor, interpretation, None, Stage.LINK, comment=f"解读文件 #{policy.id}")
    _touch(interpretation)
    audit.record(
        session, actor, "document.link_interpretation", "Document", interpretation.id, interpretation.scope_path,
        f"关联解读：#{interpretation.id} 解读 #{policy.id}",
    )  # fmt: skip
    await _commit(session)
    return interpretation


# --- reading ---


def can_read(actor: Actor, doc: Document) -> bool:
    return doc.public or actor.can("document", "read_staff", doc.scope_path)


def visible_clause(actor: Actor) -> ColumnElement[bool]:
    """The public sees published proactive/partial documents; staff also their scope's others."""
    return or_(Document.public.is_(True), _staff_clause(actor))


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


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=CHINA)


def _documents_query(actor: Actor, f: DocumentFilter) -> Select[Document]:
    stmt = select(Document).where(visible_clause(actor))
    if f.unit_code is not None:
        path = unit_path(f.unit_code)
        stmt = stmt.where(Document.scope_path.like(f"{path}/{'%' if f.include_descendants else 'org:%'}"))
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
    return stmt.order_by(Document.published_at.desc().nulls_last(), Document.id.desc())


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
    return select(Document).where(or_(*waiting)).order_by(Document.updated_at, Document.id)


async def list_documents(
    session: AsyncSession, actor: Actor, f: DocumentFilter, first: int | None = None, after: str | None = None
) -> Page[Document]:
    """Newest first, as far as the actor may see them (``visible_clause``, in the query)."""
    return await fetch_page(session, _documents_query(actor, f), first, after)


async def list_review_queue(
    session: AsyncSession, actor: Actor, first: int | None = None, after: str | None = None
) -> Page[Document]:
    """What waits for a step the actor may take, oldest first."""
    return await fetch_page(session, _review_queue_query(actor), first, after)


async def documents_by_ids(session: AsyncSession, ids: Sequence[int]) -> list[Document | None]:
    """By id, whoever asks: the types check the read (``visible_clause`` is not applied here)."""
    return await by_ids(session, Document, ids)


async def versions_by_ids(session: AsyncSession, ids: Sequence[int]) -> list[DocumentVersion | None]:
    return await by_ids(session, DocumentVersion, ids)


async def attachments_of_versions(session: AsyncSession, version_ids: Sequence[int]) -> list[list[Attachment]]:
    stmt = select(Attachment).where(Attachment.version_id.in_(version_ids)).order_by(Attachment.position)
    return await grouped(session, stmt, "version_id", version_ids)


async def versions_of_documents(session: AsyncSession, doc_ids: Sequence[int]) -> list[list[DocumentVersion]]:
    stmt = select(DocumentVersion).where(DocumentVersion.document_id.in_(doc_ids)).order_by(DocumentVersion.number)
    return await grouped(session, stmt, "document_id", doc_ids)


async def events_of_documents(session: AsyncSession, doc_ids: Sequence[int]) -> list[list[DocumentEvent]]:
    stmt = select(DocumentEvent).where(DocumentEvent.document_id.in_(doc_ids)).order_by(DocumentEvent.id)
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


async def interpretations_of_policies(session: AsyncSession, doc_ids: Sequence[int]) -> list[list[Document]]:
    """Published, not retracted interpretations of each policy, whoever asks (for the overdue flag)."""
    return await grouped(session, _interpretations(doc_ids), "interprets_id", doc_ids)


async def visible_interpretations_of_policies(
    session: AsyncSession, actor: Actor | None, doc_ids: Sequence[int]
) -> list[list[Document]]:
    """The same, as far as the actor may see them, filtered in the query (no filter without an actor)."""
    stmt = _interpretations(doc_ids)
    if actor is not None:
        stmt = stmt.where(visible_clause(actor))
    return await grouped(session, stmt, "interprets_id", doc_ids)


async def find_by_index_no(session: AsyncSession, actor: Actor, index_no: str) -> Document | None:
    stmt = select(Document).where(Document.index_no == index_no.strip(), visible_clause(actor))
    return (await session.execute(stmt)).scalar_one_or_none()


def interpretation_overdue(doc: Document, has_published_interpretation: bool, today: date | None = None) -> bool:
    """tiexi-2016: a policy's interpretation is published within 3 working days of the policy."""
    if not doc.is_policy or doc.interpretation_due is None or doc.retracted_at is not None:
        return False
    today = today or utcnow().astimezone(CHINA).date()
    return not has_published_interpretation and today > doc.interpretation_due


async def attachment_for_download(session: AsyncSession, actor: Actor, attachment_id: int) -> Attachment:
    """The attachment, when the actor may read the version it belongs to; else NOT_FOUND/Forbidden."""
    attachment = await session.get(Attachment, attachment_id)
    if attachment is None:
        raise UserInputError("id", "NOT_FOUND", "找不到该附件")
    doc = await session.get(Document, attachment.document_id)
    assert doc is not None
    staff = actor.can("document", "read_staff", doc.scope_path)
    if staff:
        return attachment
    if doc.public and attachment.version_id == doc.current_version_id:
        return attachment
    if actor.user is None:
        raise UserInputError("id", "NOT_FOUND", "找不到该附件")
    raise Forbidden()


__all__ = ["DocumentFields", "DocumentFilter", "Upload"]
