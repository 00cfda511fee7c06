"""The three-step review (三审) to publication: submitting, reviewing, publishing with the 索引号,
retracting, and linking interpretations (解读)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.actor import Actor
from api.codes import DocumentsCode
from api.db import commit
from api.errors import Conflict, UserInputError
from api.localtime import local_date
from api.models import (
    ChannelEvent,
    Decision,
    Document,
    DocumentEvent,
    DocumentKind,
    DocumentStatus,
    DocumentVersion,
    Organization,
    Stage,
    VersionStatus,
)
from api.models.base import utcnow
from api.models.documents import PUBLIC_ATTRIBUTES
from api.storage import Storage
from api.workdays import add_working_days

from .. import audit, screening, search
from ..channels import outbox
from .common import STAGE_NAMES, _derive_status, _event, _load, _obj, _steps, _touch, _version
from .numbering import _next_serial, format_index_no
from .queries import can_read

INTERPRETATION_WORKING_DAYS = 3


async def submit_document(
    session: AsyncSession, actor: Actor, *, document_id: int, version: int, storage: Storage | None = None
) -> Document:
    doc = await _load(session, document_id)
    actor.require(_obj(doc), "submit", doc.scope_path)
    if version != doc.version:
        raise Conflict()
    working = await _version(session, doc.working_version_id)
    if doc.retracted_at is not None or working is None or working.status is not VersionStatus.DRAFT:
        raise UserInputError("id", DocumentsCode.ILLEGAL_TRANSITION, "只有草稿可以提交审核")
    posting = doc.kind is DocumentKind.VILLAGE_AFFAIRS
    working.status = VersionStatus.SIGN_OFF if posting else VersionStatus.FIRST_REVIEW
    doc.status = _derive_status(doc, working)
    if posting:  # the town's approver sees the scan's findings with the posting
        await screening.screen_version(session, storage, doc, working)
    _event(session, actor, doc, working, Stage.SUBMIT)
    _touch(doc)
    audit.record(session, actor, "document.submit", "Document", doc.id, doc.scope_path, f"提交初审：{working.title}")
    await commit(session)
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
    storage: Storage | None = None,
) -> Document:
    """``storage``: where the attachments are, for the scan before 审发 (without it only the text
    fields are scanned: internal callers)."""
    doc = await _load(session, document_id)
    actor.require("document", "read_staff", doc.scope_path)
    if version != doc.version:
        raise Conflict()
    working = await _version(session, doc.working_version_id)
    steps = _steps(doc)
    if doc.retracted_at is not None or working is None or working.status not in steps:
        raise UserInputError("id", DocumentsCode.ILLEGAL_TRANSITION, "该文件没有等待审核的版本")
    stage_, permission, following = steps[working.status]
    actor.require(_obj(doc), permission, doc.scope_path)
    comment = (comment or "").strip()
    if decision is Decision.RETURN and not comment:
        raise UserInputError("comment", DocumentsCode.COMMENT_REQUIRED, "退回时须填写退回意见")
    await _check_one_step_per_person(session, actor, working, stage_)
    if decision is Decision.APPROVE and stage_ is Stage.SIGN_OFF and not confidentiality_checked:
        raise UserInputError(
            "confidentialityChecked", DocumentsCode.CONFIDENTIALITY_CHECK_REQUIRED, "审发前须完成保密审查"
        )
    if decision is Decision.APPROVE and stage_ is Stage.SIGN_OFF:
        # 先审查、后公开: a fresh scan; what it finds open is kept for the approver, and 审发 waits.
        open_findings = await screening.screen_version(session, storage, doc, working)
        if open_findings:
            await commit(session)
            raise screening.refusal(open_findings)
    _event(session, actor, doc, working, stage_, decision, comment, confidentiality_checked)
    name = STAGE_NAMES[stage_]
    if decision is Decision.RETURN:
        working.status = VersionStatus.DRAFT
        summary = f"{name}退回：{working.title}（{comment}）"
    elif following is not None:
        working.status = following
        summary = f"{name}通过：{working.title}"
        if following is VersionStatus.SIGN_OFF:  # the approver sees the scan's findings with the draft
            await screening.screen_version(session, storage, doc, working)
    else:
        await _publish(session, doc, working)
        summary = f"审发并发布：{working.title}，索引号 {doc.index_no}"
    doc.status = _derive_status(doc, await _version(session, doc.working_version_id))
    _touch(doc)
    audit.record(session, actor, f"{_obj(doc)}.{stage_.value.lower()}", "Document", doc.id, doc.scope_path, summary)
    await commit(session)
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
            "id",
            DocumentsCode.SAME_REVIEWER,
            f"您已在本文件上完成{names}，同一人不能再做{STAGE_NAMES[stage_]}，请由他人办理",
        )


async def _publish(session: AsyncSession, doc: Document, working: DocumentVersion) -> None:
    now = utcnow()
    local_day = local_date(now)
    if doc.index_no is None:
        org = await session.get(Organization, doc.publisher_id)
        assert org is not None
        if not org.index_scheme and not org.credit_code:
            raise UserInputError(
                "id",
                DocumentsCode.NO_CREDIT_CODE,
                f"“{org.name}”没有统一社会信用代码，无法生成索引号；请先补全单位信息",
            )
        serial = await _next_serial(session, org.id, local_day.year)
        doc.index_no = format_index_no(org.index_scheme, org, local_day.year, serial)
        doc.index_year, doc.index_serial = local_day.year, serial
        doc.first_published_at = now
    was_public = doc.public and doc.retracted_at is None
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
    if doc.public:
        kind = ChannelEvent.UPDATED if was_public else ChannelEvent.PUBLISHED
        await outbox.record_change(session, doc, working, kind)
    elif was_public:  # a new version no longer public: gone from the channels as a retraction is
        await outbox.record_change(session, doc, None, ChannelEvent.RETRACTED)


async def retract_document(
    session: AsyncSession, actor: Actor, *, document_id: int, version: int, reason: str
) -> Document:
    doc = await _load(session, document_id)
    actor.require("document", "retract", doc.scope_path)
    if version != doc.version:
        raise Conflict()
    if doc.index_no is None:
        raise UserInputError("id", DocumentsCode.ILLEGAL_TRANSITION, "文件尚未发布，无需撤回")
    if doc.retracted_at is not None:
        raise UserInputError("id", DocumentsCode.ILLEGAL_TRANSITION, "文件已撤回")
    reason = (reason or "").strip()
    if not reason:
        raise UserInputError("reason", DocumentsCode.REASON_REQUIRED, "撤回须说明理由")
    was_public = doc.public
    doc.retracted_at = utcnow()
    doc.retract_reason = reason
    doc.public = False
    doc.status = DocumentStatus.RETRACTED
    _event(session, actor, doc, None, Stage.RETRACT, comment=reason)
    _touch(doc)
    summary = f"撤回 {doc.index_no}：{reason}"
    audit.record(session, actor, "document.retract", "Document", doc.id, doc.scope_path, summary)
    await search.remove_document(session, doc)
    if was_public:
        await outbox.record_change(session, doc, None, ChannelEvent.RETRACTED)
    await commit(session)
    return doc


async def link_interpretation(
    session: AsyncSession, actor: Actor, *, interpretation_id: int, policy_id: int
) -> Document:
    interpretation = await _load(session, interpretation_id)
    actor.require("document", "edit", interpretation.scope_path)
    if interpretation.kind is not DocumentKind.POLICY_INTERPRETATION:
        raise UserInputError(
            "interpretationId", DocumentsCode.NOT_INTERPRETATION, "只有“政策解读”类文件可以关联被解读的政策"
        )
    policy = await session.get(Document, policy_id)
    if policy is None or not can_read(actor, policy):
        raise UserInputError("policyId", DocumentsCode.NOT_FOUND, "找不到被解读的政策文件")
    if policy.kind is DocumentKind.POLICY_INTERPRETATION:
        raise UserInputError("policyId", DocumentsCode.NOT_POLICY, "不能解读一篇解读")
    if not policy.is_policy:
        raise UserInputError(
            "policyId", DocumentsCode.NOT_POLICY,
            "被解读的文件不是政策文件：请先在该文件上标明“政策文件”（isPolicy），再关联解读",
        )  # fmt: skip
    interpretation.interprets_id = policy.id
    _event(session, actor, interpretation, None, Stage.LINK, comment=f"解读文件 #{policy.id}")
    _touch(interpretation)
    audit.record(
        session, actor, "document.link_interpretation", "Document", interpretation.id, interpretation.scope_path,
        f"关联解读：#{interpretation.id} 解读 #{policy.id}",
    )  # fmt: skip
    await commit(session)
    return interpretation
