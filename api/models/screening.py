"""Screening (issue 15): the district office's sensitive-word list per county, and the findings
of the privacy and sensitive-word scan of a document version before 审发."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Enum, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class FindingKind(enum.Enum):
    ID_NUMBER = "ID_NUMBER"  # 居民身份证号码 (GB 11643, check digit valid)
    MOBILE = "MOBILE"  # 手机号码
    BANK_CARD = "BANK_CARD"  # 银行卡号 (Luhn)
    SENSITIVE_WORD = "SENSITIVE_WORD"  # a word of the district office's list
    UNSCANNED = "UNSCANNED"  # an attachment (or its rest) the scan could not read: OFD, past the bounds


class FindingField(enum.Enum):
    TITLE = "TITLE"
    SUMMARY = "SUMMARY"
    BODY = "BODY"
    ATTACHMENT = "ATTACHMENT"


class FindingStatus(enum.Enum):
    OPEN = "OPEN"  # found by the latest scan, neither fixed nor waived
    FIXED = "FIXED"  # a later scan no longer finds it
    WAIVED = "WAIVED"  # kept, with the approver's reason


class SensitiveWordList(Base):
    """The words a county's district office has listed; one row per county (its scope path)."""

    __tablename__ = "sensitive_word_lists"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scope_path: Mapped[str] = mapped_column(String(64), unique=True)
    words: Mapped[list[str]] = mapped_column(JSON, default=list)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class ScreeningFinding(Base):
    """One thing found in one place of a version: the value itself is never stored, only a
    fingerprint (to tell whether a later scan still finds it) and a masked excerpt."""

    __tablename__ = "screening_findings"
    __table_args__ = (UniqueConstraint("version_id", "fingerprint"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("document_versions.id"), index=True)
    kind: Mapped[FindingKind] = mapped_column(Enum(FindingKind, native_enum=False, length=16))
    field: Mapped[FindingField] = mapped_column(Enum(FindingField, native_enum=False, length=16))
    attachment_id: Mapped[int | None] = mapped_column(ForeignKey("attachments.id"))
    attachment_name: Mapped[str | None] = mapped_column(String(255))
    page: Mapped[int | None] = mapped_column(Integer)  # PDF page, xlsx sheet (1-based)
    sheet: Mapped[str | None] = mapped_column(String(100))
    fingerprint: Mapped[str] = mapped_column(String(64))
    excerpt: Mapped[str] = mapped_column(String(200))
    occurrences: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[FindingStatus] = mapped_column(Enum(FindingStatus, native_enum=False, length=8))
    waiver_reason: Mapped[str | None] = mapped_column(Text)
    waived_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    waived_by_name: Mapped[str | None] = mapped_column(String(100))
    waived_at: Mapped[datetime | None] = mapped_column(default=None)
    found_at: Mapped[datetime] = mapped_column(default=utcnow)
    scanned_at: Mapped[datetime] = mapped_column(default=utcnow)
