"""Documents (政府信息): identity, versions, the review event log and attachments."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, Enum, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow


def _enum(cls: type[enum.Enum], length: int = 32) -> Enum:
    return Enum(cls, native_enum=False, length=length)


class DocumentKind(enum.Enum):
    GOVERNMENT_INFO = "GOVERNMENT_INFO"
    POLICY_INTERPRETATION = "POLICY_INTERPRETATION"
    NOTICE = "NOTICE"
    VILLAGE_AFFAIRS = "VILLAGE_AFFAIRS"  # 村务公开 posting, approved by the town
    DISCLOSURE_GUIDE = "DISCLOSURE_GUIDE"  # 政府信息公开指南 (国办公开办函〔2019〕61号 platform column)
    DISCLOSURE_RULES = "DISCLOSURE_RULES"  # 政府信息公开制度
    ANNUAL_REPORT = "ANNUAL_REPORT"  # 政府信息公开工作年度报告, made when the office publishes it


KIND_LABELS = {
    DocumentKind.GOVERNMENT_INFO: "政府信息", DocumentKind.POLICY_INTERPRETATION: "政策解读",
    DocumentKind.NOTICE: "通知公告", DocumentKind.VILLAGE_AFFAIRS: "村务公开",
    DocumentKind.DISCLOSURE_GUIDE: "政府信息公开指南", DocumentKind.DISCLOSURE_RULES: "政府信息公开制度",
    DocumentKind.ANNUAL_REPORT: "政府信息公开工作年度报告",
}  # fmt: skip


class DisclosureAttribute(enum.Enum):
    PROACTIVE = "PROACTIVE"  # 主动公开
    PARTIAL = "PARTIAL"  # 部分公开
    ON_REQUEST = "ON_REQUEST"  # 依申请公开
    NOT_DISCLOSED = "NOT_DISCLOSED"  # 不予公开


PUBLIC_ATTRIBUTES = (DisclosureAttribute.PROACTIVE, DisclosureAttribute.PARTIAL)


class Validity(enum.Enum):
    VALID = "VALID"
    EXPIRED = "EXPIRED"
    REPEALED = "REPEALED"


ATTRIBUTE_LABELS = {
    DisclosureAttribute.PROACTIVE: "主动公开", DisclosureAttribute.PARTIAL: "部分公开",
    DisclosureAttribute.ON_REQUEST: "依申请公开", DisclosureAttribute.NOT_DISCLOSED: "不予公开",
}  # fmt: skip
VALIDITY_LABELS = {Validity.VALID: "有效", Validity.EXPIRED: "失效", Validity.REPEALED: "废止"}


class BodyFormat(enum.Enum):
    TEXT = "TEXT"
    HTML = "HTML"


class DocumentStatus(enum.Enum):
    """Where the newest version is: a draft, waiting for one of the three steps, or out."""

    DRAFT = "DRAFT"
    FIRST_REVIEW = "FIRST_REVIEW"  # waits for 初审
    REVIEW = "REVIEW"  # waits for 审核
    SIGN_OFF = "SIGN_OFF"  # waits for 审发
    PUBLISHED = "PUBLISHED"
    RETRACTED = "RETRACTED"


class VersionStatus(enum.Enum):
    DRAFT = "DRAFT"
    FIRST_REVIEW = "FIRST_REVIEW"
    REVIEW = "REVIEW"
    SIGN_OFF = "SIGN_OFF"
    PUBLISHED = "PUBLISHED"
    SUPERSEDED = "SUPERSEDED"


class Stage(enum.Enum):
    CREATE = "CREATE"
    EDIT = "EDIT"
    SUBMIT = "SUBMIT"
    FIRST_REVIEW = "FIRST_REVIEW"  # 初审
    REVIEW = "REVIEW"  # 审核
    SIGN_OFF = "SIGN_OFF"  # 审发
    RETRACT = "RETRACT"
    ATTACH = "ATTACH"
    LINK = "LINK"
    WAIVE = "WAIVE"  # a screening finding kept with the approver's reason (api/services/screening)


class Decision(enum.Enum):
    APPROVE = "APPROVE"
    RETURN = "RETURN"


class Document(Base):
    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[DocumentKind] = mapped_column(_enum(DocumentKind))
    publisher_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    scope_path: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[DocumentStatus] = mapped_column(_enum(DocumentStatus), index=True)
    is_policy: Mapped[bool] = mapped_column(Boolean, default=False)
    # The version shown as the document: the published one, or the draft before first publication.
    current_version_id: Mapped[int | None] = mapped_column(ForeignKey("document_versions.id", use_alter=True))
    # The version being drafted or reviewed, if any.
    working_version_id: Mapped[int | None] = mapped_column(ForeignKey("document_versions.id", use_alter=True))
    public: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    index_no: Mapped[str | None] = mapped_column(String(64), unique=True)
    index_year: Mapped[int | None] = mapped_column(Integer)
    index_serial: Mapped[int | None] = mapped_column(Integer)
    first_published_at: Mapped[datetime | None] = mapped_column(default=None)
    published_at: Mapped[datetime | None] = mapped_column(default=None, index=True)
    retracted_at: Mapped[datetime | None] = mapped_column(default=None)
    retract_reason: Mapped[str | None] = mapped_column(Text)
    interprets_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"), index=True)
    catalog_item_id: Mapped[int | None] = mapped_column(ForeignKey("catalog_items.id"), index=True)
    village_item_id: Mapped[int | None] = mapped_column(ForeignKey("village_power_items.id"), index=True)
    interpretation_due: Mapped[date | None] = mapped_column(Date)
    interpretation_due_provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    demo: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    current: Mapped[DocumentVersion | None] = relationship(foreign_keys=[current_version_id], lazy="raise")

    __mapper_args__ = {"version_id_col": version}


class DocumentVersion(Base):
    __tablename__ = "document_versions"
    __table_args__ = (UniqueConstraint("document_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[VersionStatus] = mapped_column(_enum(VersionStatus))
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    body_format: Mapped[BodyFormat] = mapped_column(_enum(BodyFormat, 8), default=BodyFormat.TEXT)
    issuing_organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))
    issuing_name: Mapped[str] = mapped_column(String(200), default="")
    doc_number: Mapped[str | None] = mapped_column(String(100))
    doc_number_agency: Mapped[str | None] = mapped_column(String(100))
    doc_number_year: Mapped[int | None] = mapped_column(Integer)
    doc_number_serial: Mapped[int | None] = mapped_column(Integer)
    written_on: Mapped[date | None] = mapped_column(Date)
    topic: Mapped[str] = mapped_column(String(100), default="")
    genre: Mapped[str] = mapped_column(String(100), default="")
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    domain_id: Mapped[int | None] = mapped_column(ForeignKey("domains.id"), index=True)
    attribute: Mapped[DisclosureAttribute] = mapped_column(_enum(DisclosureAttribute))
    attribute_reason: Mapped[str | None] = mapped_column(Text)
    validity: Mapped[Validity] = mapped_column(_enum(Validity, 16), default=Validity.VALID)
    channels: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(default=None)


class DocumentEvent(Base):
    """One step in a document's history; the status is derived from these and stored with them."""

    __tablename__ = "document_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    version_id: Mapped[int | None] = mapped_column(ForeignKey("document_versions.id"))
    stage: Mapped[Stage] = mapped_column(_enum(Stage, 16))
    decision: Mapped[Decision | None] = mapped_column(_enum(Decision, 8))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_name: Mapped[str] = mapped_column(String(100))
    comment: Mapped[str] = mapped_column(Text, default="")
    confidentiality_checked: Mapped[bool | None] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Attachment(Base):
    """A file of a document version; the bytes are stored once per SHA-256 (content address)."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("document_versions.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # a photo's pixels (api/photos.py: stored re-encoded, without metadata); None: not a photo, or
    # stored before photos were processed
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)


class AttachmentSize(Base):
    """A smaller copy of a photo attachment (``api.photos.SIZES``), in the attachment's format; read
    with the same permission as the attachment."""

    __tablename__ = "attachment_sizes"
    __table_args__ = (UniqueConstraint("attachment_id", "long_side"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    attachment_id: Mapped[int] = mapped_column(ForeignKey("attachments.id"), index=True)
    long_side: Mapped[int] = mapped_column(Integer)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), index=True)


class IndexCounter(Base):
    """The last 索引号 serial given per organization and year; bumped inside the publication."""

    __tablename__ = "index_counters"
    __table_args__ = (UniqueConstraint("organization_id", "year"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    year: Mapped[int] = mapped_column(Integer)
    last_serial: Mapped[int] = mapped_column(Integer, default=0)
