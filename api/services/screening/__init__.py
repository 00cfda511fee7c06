"""Screening (issue 15): the privacy and sensitive-word scan before 审发 and before a town approves
a village posting (huili-2016: 人工防范和智能扫描相结合).

The scan reads the version's title, summary, body and the text of its attachments (detect.py,
extract.py) in a worker thread. Each distinct value found in a place is one finding, kept per
version under a fingerprint (a hash of the document, place, kind and value; the value itself is
never stored): a later scan that no longer finds it marks it FIXED, one that finds it again keeps
it, a new one is OPEN. 审发 is refused while a finding is OPEN; an approver of the document (for
a village posting: the town's) may waive one with a reason, recorded as a document event (stage
WAIVE) and in the audit trail.

The district office keeps one word list per county (``saveSensitiveWords``, at most MAX_WORDS
words of at most MAX_WORD_LENGTH characters); staff who may read the county's unpublished
documents read it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import anyio.to_thread
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.actor import Actor
from api.auth.scope import ROOT
from api.codes import ScreeningCode
from api.db import commit
from api.errors import Conflict, Forbidden, UserInputError
from api.models import (
    AdminUnit,
    Attachment,
    Document,
    DocumentEvent,
    DocumentKind,
    DocumentVersion,
    FindingField,
    FindingKind,
    FindingStatus,
    ScreeningFinding,
    SensitiveWordList,
    Stage,
    UnitLevel,
)
from api.models.base import utcnow
from api.storage import Storage

from .. import audit
from ..pages import among, grouped
from ..search import plain_text
from .detect import Found, WordMatcher, clean_words, scan_text
from .extract import Extracted, extract

MAX_WORDS = 5_000
MAX_WORD_LENGTH = 50
MAX_REASON = 2_000
MAX_FINDINGS = 200  # kept per version: a list with hundreds of ID numbers is fixed, not waived one by one

KIND_NAMES = {
    FindingKind.ID_NUMBER: "身份证号码",
    FindingKind.MOBILE: "手机号码",
    FindingKind.BANK_CARD: "银行卡号",
    FindingKind.SENSITIVE_WORD: "敏感词",
    FindingKind.UNSCANNED: "未能自动检查的内容",
}
FIELD_NAMES = {FindingField.TITLE: "标题", FindingField.SUMMARY: "摘要", FindingField.BODY: "正文"}


@dataclass(frozen=True)
class WordList:
    unit_code: str
    words: list[str]
    version: int  # 0: the county has no list yet


@dataclass(frozen=True)
class _Place:
    field: FindingField
    attachment: Attachment | None = None
    page: int | None = None
    sheet: str | None = None


def place_name(f: ScreeningFinding) -> str:
    """Where the finding is, as the approver reads it: 正文, 附件“名单.pdf”第3页, 附件“表.xlsx”工作表“一组”."""
    if f.field is not FindingField.ATTACHMENT:
        return FIELD_NAMES[f.field]
    where = f"附件“{f.attachment_name}”"
    if f.sheet:
        return f"{where}工作表“{f.sheet}”"
    if f.page:
        return f"{where}第{f.page}页"
    return where


# --- the word list -------------------------------------------------------------------------


def _county_path(path: str) -> str:
    return path.split("/", 1)[0]


async def _county(session: AsyncSession, code: str) -> AdminUnit:
    unit = (await session.execute(select(AdminUnit).where(AdminUnit.code == code))).scalar_one_or_none()
    if unit is None:
        raise UserInputError("unitCode", ScreeningCode.NOT_FOUND, f"找不到区划代码为“{code}”的单位")
    if unit.level is not UnitLevel.COUNTY:
        raise UserInputError("unitCode", ScreeningCode.NOT_COUNTY, "敏感词表按县（区）维护，请选择县（区）")
    return unit


def _may_read_words(actor: Actor, county_path: str) -> bool:
    """Staff of any part of the county (a department's approver too) read its list."""
    return any(
        p == ROOT or p == county_path or p.startswith(county_path + "/") or county_path.startswith(p + "/")
        for p in actor.visible_paths("screening", "read_words")
    )


async def _list_row(session: AsyncSession, county_path: str) -> SensitiveWordList | None:
    stmt = select(SensitiveWordList).where(SensitiveWordList.scope_path == county_path)
    return (await session.execute(stmt)).scalar_one_or_none()


async def word_list(session: AsyncSession, actor: Actor, unit_code: str) -> WordList:
    unit = await _county(session, unit_code)
    if not _may_read_words(actor, unit.scope_path):
        actor.require("screening", "read_words", unit.scope_path)  # raises the right error
    row = await _list_row(session, unit.scope_path)
    return WordList(unit.code, list(row.words) if row else [], row.version if row else 0)


async def save_words(
    session: AsyncSession, actor: Actor, *, unit_code: str, version: int, words: Sequence[str]
) -> WordList:
    unit = await _county(session, unit_code)
    actor.require("screening", "manage_words", unit.scope_path)
    if len(words) > MAX_WORDS:
        raise UserInputError("words", ScreeningCode.TOO_MANY_WORDS, f"敏感词表最多{MAX_WORDS}个词，请精简后再保存")
    for i, w in enumerate(words):
        if len(w.strip()) > MAX_WORD_LENGTH:
            raise UserInputError(
                f"words.{i}", ScreeningCode.WORD_TOO_LONG, f"第{i + 1}个词超过{MAX_WORD_LENGTH}个字，请缩短"
            )
    kept = clean_words(words)
    row = await _list_row(session, unit.scope_path)
    if version != (row.version if row else 0):
        raise Conflict()
    if row is None:
        row = SensitiveWordList(scope_path=unit.scope_path, words=kept, updated_by_id=actor.user_id)
        session.add(row)
    else:
        row.words, row.updated_by_id = kept, actor.user_id
    await session.flush()
    audit.record(
        session, actor, "screening.save_words", "SensitiveWordList", row.id, unit.scope_path,
        f"保存敏感词表：{unit.name}，共{len(kept)}个词",
    )  # fmt: skip
    await commit(session)
    return WordList(unit.code, kept, row.version)


# --- the scan ------------------------------------------------------------------------------


def _fingerprint(doc_id: int, place: _Place, found: Found) -> str:
    where = f"{place.field.value}:{place.attachment.sha256 if place.attachment else ''}:{place.page}:{place.sheet}"
    return hashlib.sha256(f"{doc_id}|{where}|{found.kind.value}|{found.value}".encode()).hexdigest()


async def _attachment_text(storage: Storage, attachment: Attachment) -> Extracted:
    stored = await storage.read(attachment.sha256)
    if stored is None:
        return Extracted([], unreadable=True)
    chunks = [bytes(c) async for c in stored.chunks]
    return await anyio.to_thread.run_sync(extract, attachment.content_type, b"".join(chunks))


def _scan_texts(texts: list[tuple[_Place, str]], words: list[str]) -> list[tuple[_Place, Found]]:
    matcher = WordMatcher(words)
    return [(place, found) for place, text in texts for found in scan_text(text, matcher)]


TEXT_KINDS = ("application/pdf", "wordprocessingml.document", "spreadsheetml.sheet")
OFD = "application/ofd"


def _unscanned(why: str, note: str) -> Found:
    """An attachment, or part of one, the scan could not read: a person checks it and waives this."""
    return Found(FindingKind.UNSCANNED, why, note, 1)


async def scan_version(
    session: AsyncSession, storage: Storage | None, doc: Document, version: DocumentVersion
) -> list[tuple[_Place, Found]]:
    """What the version holds now. Without ``storage`` (internal callers only) attachments are not read."""
    texts: list[tuple[_Place, str]] = [
        (_Place(FindingField.TITLE), version.title),
        (_Place(FindingField.SUMMARY), version.summary or ""),
        (_Place(FindingField.BODY), plain_text(version.body or "", version.body_format)),
    ]
    unread: list[tuple[_Place, Found]] = []
    if storage is not None:
        stmt = select(Attachment).where(Attachment.version_id == version.id).order_by(Attachment.position)
        for a in (await session.execute(stmt)).scalars():
            whole = _Place(FindingField.ATTACHMENT, a)
            if a.content_type == OFD:
                unread.append((whole, _unscanned("ofd", "OFD 文件不能自动提取文字，请人工检查后放行")))
            if not any(a.content_type.endswith(k) for k in TEXT_KINDS):
                continue  # photos: no text without OCR
            extracted = await _attachment_text(storage, a)
            for part in extracted.parts:
                texts.append((_Place(FindingField.ATTACHMENT, a, part.page, part.sheet), part.text))
            if extracted.unreadable:
                unread.append((whole, _unscanned("unreadable", "无法读取附件中的文字，请人工检查后放行")))
            elif extracted.truncated:
                note = f"附件超过自动检查的上限，只检查了前{len(extracted.parts)}页（表），其余请人工检查后放行"
                unread.append((whole, _unscanned("truncated", note)))
    row = await _list_row(session, _county_path(doc.scope_path))
    words = list(row.words) if row else []
    return [*await anyio.to_thread.run_sync(_scan_texts, texts, words), *unread]


async def screen_version(
    session: AsyncSession, storage: Storage | None, doc: Document, version: DocumentVersion
) -> list[ScreeningFinding]:
    """Scan the version and bring its findings up to date (flushed, not committed); the OPEN ones."""
    found = await scan_version(session, storage, doc, version)
    existing = {
        f.fingerprint: f
        for f in (
            await session.execute(select(ScreeningFinding).where(ScreeningFinding.version_id == version.id))
        ).scalars()
    }
    now = utcnow()
    room = MAX_FINDINGS - len(existing)
    seen: set[str] = set()
    for place, hit in found:
        key = _fingerprint(doc.id, place, hit)
        if key in seen:
            continue
        seen.add(key)
        finding = existing.get(key)
        if finding is None:
            if room <= 0:
                continue  # found again by the next scan, once some of these are fixed
            room -= 1
            session.add(
                ScreeningFinding(
                    document_id=doc.id, version_id=version.id, kind=hit.kind, field=place.field,
                    attachment_id=place.attachment.id if place.attachment else None,
                    attachment_name=place.attachment.filename if place.attachment else None,
                    page=place.page, sheet=place.sheet, fingerprint=key, excerpt=hit.excerpt[:200],
                    occurrences=hit.occurrences, status=FindingStatus.OPEN, found_at=now, scanned_at=now,
                )
            )  # fmt: skip
            continue
        finding.excerpt, finding.occurrences, finding.scanned_at = hit.excerpt[:200], hit.occurrences, now
        if finding.status is FindingStatus.FIXED:
            finding.status = FindingStatus.OPEN  # back again: a waiver does not come back with it
    for key, finding in existing.items():
        if key not in seen and finding.status is not FindingStatus.FIXED:
            finding.status, finding.scanned_at = FindingStatus.FIXED, now
    try:
        await session.flush()
    except IntegrityError as exc:  # another scan of the version wrote the same finding first
        raise Conflict() from exc
    stmt = select(ScreeningFinding).where(
        ScreeningFinding.version_id == version.id, ScreeningFinding.status == FindingStatus.OPEN
    )
    return list((await session.execute(stmt.order_by(ScreeningFinding.id))).scalars())


def refusal(open_findings: Sequence[ScreeningFinding]) -> UserInputError:
    first = open_findings[0]
    return UserInputError(
        "id",
        ScreeningCode.OPEN_FINDINGS,
        f"隐私与敏感词检查发现{len(open_findings)}处待处理的内容（如{place_name(first)}的"
        f"{KIND_NAMES[first.kind]}“{first.excerpt}”）：请退回修改，或由审发人逐条说明理由后放行",
    )


# --- reads and the waiver ------------------------------------------------------------------


async def findings_of_versions(
    session: AsyncSession, actor: Actor, version_ids: Sequence[int]
) -> list[list[ScreeningFinding]]:
    """Each version's findings, for staff of the document's scope (anyone else: none)."""
    stmt = (
        select(ScreeningFinding)
        .join(Document, Document.id == ScreeningFinding.document_id)
        .where(
            among(session, ScreeningFinding.version_id, version_ids),
            actor.visible(Document.scope_path, "document", "read_staff"),
        )
        .order_by(ScreeningFinding.id)
    )
    return await grouped(session, stmt, "version_id", version_ids)


def _approve_permission(doc: Document) -> tuple[str, str]:
    return ("posting", "approve") if doc.kind is DocumentKind.VILLAGE_AFFAIRS else ("document", "sign_off")


async def waive_finding(
    session: AsyncSession, actor: Actor, *, finding_id: int, version: int, reason: str
) -> tuple[Document, ScreeningFinding]:
    finding = await session.get(ScreeningFinding, finding_id)
    doc = None if finding is None else await session.get(Document, finding.document_id)
    if finding is None or doc is None or not actor.can("document", "read_staff", doc.scope_path):
        raise UserInputError("id", ScreeningCode.NOT_FOUND, "找不到该检查结果")
    actor.require(*_approve_permission(doc), doc.scope_path)
    if version != doc.version:
        raise Conflict()
    if finding.version_id != doc.working_version_id:
        raise UserInputError("id", ScreeningCode.NOT_CURRENT, "该检查结果不属于正在审核的版本")
    if finding.status is not FindingStatus.OPEN:
        shown = "已修改" if finding.status is FindingStatus.FIXED else "已放行"
        raise UserInputError("id", ScreeningCode.NOT_OPEN, f"该检查结果{shown}，无需再放行")
    reason = (reason or "").strip()
    if not reason:
        raise UserInputError("reason", ScreeningCode.REASON_REQUIRED, "放行须说明理由（例如：已取得本人同意公开）")
    if len(reason) > MAX_REASON:
        raise UserInputError("reason", ScreeningCode.TOO_LONG, f"理由不超过{MAX_REASON}字")
    if actor.user is None:
        raise Forbidden()
    finding.status = FindingStatus.WAIVED
    finding.waiver_reason, finding.waived_at = reason, utcnow()
    finding.waived_by_id, finding.waived_by_name = actor.user_id, actor.user.display_name
    what = f"{place_name(finding)}的{KIND_NAMES[finding.kind]}“{finding.excerpt}”"
    session.add(
        DocumentEvent(
            document_id=doc.id, version_id=finding.version_id, stage=Stage.WAIVE, actor_id=actor.user_id,
            actor_name=actor.user.display_name, comment=f"放行{what}：{reason}",
        )
    )  # fmt: skip
    doc.updated_at = utcnow()  # the document's version moves with its history
    audit.record(session, actor, "screening.waive", "Document", doc.id, doc.scope_path, f"放行{what}：{reason}")
    await commit(session)
    return doc, finding


__all__ = [
    "FIELD_NAMES",
    "KIND_NAMES",
    "MAX_FINDINGS",
    "MAX_WORDS",
    "MAX_WORD_LENGTH",
    "WordList",
    "findings_of_versions",
    "place_name",
    "refusal",
    "save_words",
    "scan_version",
    "screen_version",
    "waive_finding",
    "word_list",
]
