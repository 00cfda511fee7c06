"""The reply (答复): reasons, legal basis, the letter from its template, the proactive-publication
draft; and the district office's reply templates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.actor import Actor
from api.auth.scope import ROOT
from api.codes import RequestsCode
from api.db import commit
from api.errors import UserInputError
from api.models import (
    DisclosureAttribute,
    DocumentKind,
    EventKind,
    InfoRequest,
    NoticeKind,
    Organization,
    ReplyReason,
    ReplyTemplate,
    ReplyType,
)
from api.models.requests import REASONS_BY_TYPE

from .. import audit
from . import notices
from .common import _dated, _event, _load, _save, chinese_date
from .workflow import _last_event, _require, _target

REMEDIES = (
    "如对本答复不服，可以自收到本答复之日起60日内依法申请行政复议，"
    "或者自收到本答复之日起6个月内依法向人民法院提起行政诉讼。"
)


REFUSALS = (
    ReplyType.NOT_DISCLOSED,
    ReplyType.UNABLE,
    ReplyType.NOT_PROCESSED,
    ReplyType.OTHER,
    ReplyType.PARTIALLY_DISCLOSED,
)


DEFAULT_TEMPLATES = {
    ReplyType.DISCLOSED: "{applicant_name}：\n本机关于{received_on}收到您提出的政府信息公开申请（{tracking_code}），申请内容：{description}。"
    "经审查，您申请的信息属于公开范围，根据《中华人民共和国政府信息公开条例》第三十六条第二项的规定，现予以提供。"
    "\n{organization}\n{replied_on}",
    ReplyType.PARTIALLY_DISCLOSED: "{applicant_name}：\n本机关于{received_on}收到您提出的政府信息公开申请（{tracking_code}）。经审查，"
    "您申请的信息部分予以公开，其余部分依据{legal_basis}不予公开。\n{remedies}\n{organization}\n{replied_on}",
    ReplyType.NOT_DISCLOSED: "{applicant_name}：\n本机关于{received_on}收到您提出的政府信息公开申请（{tracking_code}）。经审查，"
    "您申请的信息{reason}，依据{legal_basis}，不予公开。\n{remedies}\n{organization}\n{replied_on}",
    ReplyType.UNABLE: "{applicant_name}：\n本机关于{received_on}收到您提出的政府信息公开申请（{tracking_code}）。经查，{reason}，"
    "依据{legal_basis}，无法提供。\n{remedies}\n{organization}\n{replied_on}",
    ReplyType.NOT_PROCESSED: "{applicant_name}：\n本机关于{received_on}收到您提出的申请（{tracking_code}）。经审查，该申请{reason}，"
    "依据{legal_basis}，不作为政府信息公开申请处理。\n{remedies}\n{organization}\n{replied_on}",
    ReplyType.OTHER: "{applicant_name}：\n关于您于{received_on}提出的政府信息公开申请（{tracking_code}），因{reason}，"
    "依据{legal_basis}，本机关不再处理。\n{remedies}\n{organization}\n{replied_on}",
}  # fmt: skip


# {reason} in a letter: the reason as a clause of the sentence its template puts it in (不予公开:
# 您申请的信息…; 无法提供: 经查，…; 不予处理: 该申请…; 其他处理: 因…), not the form's label.
LETTER_REASONS = {
    ReplyReason.STATE_SECRET: "属于国家秘密",
    ReplyReason.PROHIBITED_BY_LAW: "属于法律、行政法规禁止公开的信息",
    ReplyReason.THREE_SECURITIES: "公开后可能危及国家安全、公共安全、经济安全、社会稳定",
    ReplyReason.THIRD_PARTY_RIGHTS: "公开会损害第三方合法权益",
    ReplyReason.INTERNAL_AFFAIRS: "属于行政机关的内部事务信息",
    ReplyReason.PROCESS_INFORMATION: "属于行政机关在履行职责过程中形成的过程性信息",
    ReplyReason.ENFORCEMENT_FILE: "属于行政执法案卷信息",
    ReplyReason.ADMINISTRATIVE_QUERY: "属于按照法律、行政法规规定办理的查询事项",
    ReplyReason.NOT_HELD: "本机关不掌握相关政府信息",
    ReplyReason.NEEDS_CREATION: "您申请的信息没有现成信息，需要另行制作",
    ReplyReason.STILL_UNCLEAR: "补正后的申请内容仍不明确",
    ReplyReason.PETITION: "属于信访、投诉、举报等事项",
    ReplyReason.REPEATED: "属于重复申请",
    ReplyReason.PUBLICATIONS: "属于要求提供公开出版物",
    ReplyReason.EXCESSIVE: "属于无正当理由大量、反复申请",
    ReplyReason.CONFIRMATION: "属于要求行政机关确认或者重新出具已获取的信息",
    ReplyReason.FEE_UNPAID: "您逾期未按收费通知要求缴纳费用",
    ReplyReason.CORRECTION_LAPSED: "您无正当理由逾期未补正",
    ReplyReason.OTHER: "其他原因",
}


@dataclass
class ReplyInput:
    reply_type: ReplyType
    reason: ReplyReason | None = None
    legal_basis: str = ""
    note: str = ""
    publish_proactively: bool = False


async def _letter(session: AsyncSession, r: InfoRequest, reply: ReplyInput, org: Organization, on: date) -> str:
    template = (
        await session.execute(select(ReplyTemplate).where(ReplyTemplate.reply_type == reply.reply_type))
    ).scalar_one_or_none()
    text = template.body if template else DEFAULT_TEMPLATES[reply.reply_type]
    values = {
        "applicant_name": r.applicant_name, "tracking_code": r.tracking_code,
        "received_on": chinese_date(r.received_on), "description": r.description,
        "reason": LETTER_REASONS[reply.reason] if reply.reason else "", "legal_basis": reply.legal_basis,
        "remedies": REMEDIES, "organization": org.name, "replied_on": chinese_date(on),
    }  # fmt: skip
    letter = text.format_map(_Blank(values))
    if reply.reply_type in REFUSALS and REMEDIES not in letter:
        letter += "\n" + REMEDIES
    return letter + (f"\n{reply.note}" if reply.note else "")


class _Blank(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return ""


async def reply(
    session: AsyncSession, actor: Actor, *, request_id: int, version: int, reply_: ReplyInput,
    on_date: date | None = None,
) -> InfoRequest:  # fmt: skip
    """答复, signed off (审核) by somebody other than the officer who drafted it and sent it for
    review (the IN_REVIEW step's actor): the event records both."""
    r = await _load(session, actor, request_id, version)
    _require(r, "reply")
    on = await _dated(session, r, on_date)
    drafted = await _last_event(session, r, EventKind.IN_REVIEW)
    if drafted is not None and drafted.actor_id is not None and drafted.actor_id == actor.user_id:
        raise UserInputError(
            "id", RequestsCode.SAME_REVIEWER, "答复须由拟稿人以外的负责人审签：请由政府信息公开工作机构负责人签发"
        )
    allowed = REASONS_BY_TYPE[reply_.reply_type]
    if allowed and reply_.reason not in allowed:
        names = "、".join(x.value for x in allowed)
        raise UserInputError("reason", RequestsCode.REASON_REQUIRED, f"该答复类型须选择理由：{names}")
    if not allowed and reply_.reason is not None:
        raise UserInputError("reason", RequestsCode.REASON_NOT_ALLOWED, "予以公开、部分公开的答复不选择不予公开理由")
    if reply_.reply_type in REFUSALS and not reply_.legal_basis.strip():
        raise UserInputError(
            "legalBasis", RequestsCode.LEGAL_BASIS_REQUIRED, "不予公开或不能提供的答复须写明法律依据（条例第几条）"
        )
    org = await session.get(Organization, r.handling_org_id)
    assert org is not None
    r.reply_type, r.reply_reason, r.replied_on = reply_.reply_type, reply_.reason, on
    letter = await _letter(session, r, reply_, org, on)
    notice = await notices.issue(session, actor, r, NoticeKind.REPLY, on, {"letter": letter})
    r.reply_letter = f"{notice.doc_no}\n{letter}"
    r.status = _target(r, "reply")
    signed = actor.user.display_name if actor.user else actor.name
    _event(
        session, actor, r, EventKind.REPLIED, on, reply_.note, reply_type=reply_.reply_type.value,
        drafted_by=drafted.actor_name if drafted else None, signed_off_by=signed, notice=notice.doc_no,
    )  # fmt: skip
    if reply_.publish_proactively and reply_.reply_type in (ReplyType.DISCLOSED, ReplyType.PARTIALLY_DISCLOSED):
        await session.flush()
        r.proactive_document_id = await _start_proactive(session, actor, r, org)
    return await _save(session, actor, r, "reply", f"答复：{reply_.reply_type.value}")


async def _start_proactive(session: AsyncSession, actor: Actor, r: InfoRequest, org: Organization) -> int:
    """Information of wide interest found in a reply goes into the proactive channel as a draft,
    through the ordinary three-step review (huili-2016)."""
    from .. import documents

    doc = documents.Document(
        kind=DocumentKind.GOVERNMENT_INFO, publisher_id=org.id, scope_path=r.scope_path,
        status=documents.DocumentStatus.DRAFT,
    )  # fmt: skip
    fields_ = documents.DocumentFields(
        title=f"依申请公开转主动公开：{r.description[:80]}", summary=r.description,
        attribute=DisclosureAttribute.PROACTIVE, channels=["政府网站"],
    )  # fmt: skip
    await documents.add_draft(session, actor, doc, fields_, note=f"由依申请公开 {r.tracking_code} 转入")
    return doc.id


async def save_template(session: AsyncSession, actor: Actor, *, reply_type: ReplyType, body: str) -> ReplyTemplate:
    """The district office's letter for a reply type; placeholders: {applicant_name} {tracking_code}
    {received_on} {description} {reason} {legal_basis} {remedies} {organization} {replied_on}.
    The templates serve every county: only a grant at ``*`` may change them (audited at ``*``)."""
    actor.require("reply_template", "manage", ROOT)
    body = (body or "").strip()
    if not body:
        raise UserInputError("body", RequestsCode.REQUIRED, "模板内容不能为空")
    try:
        body.format_map(_Blank({}))
    except (ValueError, IndexError) as exc:
        raise UserInputError(
            "body", RequestsCode.INVALID_TEMPLATE, "模板中的花括号占位符写法不正确，如 {applicant_name}"
        ) from exc
    if reply_type in REFUSALS and "{remedies}" not in body:
        raise UserInputError(
            "body", RequestsCode.REMEDIES_REQUIRED, "不予公开等答复的模板须包含 {remedies}（复议、诉讼的途径和期限）"
        )
    template = (
        await session.execute(select(ReplyTemplate).where(ReplyTemplate.reply_type == reply_type))
    ).scalar_one_or_none()
    if template is None:
        template = ReplyTemplate(reply_type=reply_type, body=body)
        session.add(template)
    else:
        template.body = body
    audit.record(
        session, actor, "request.template", "ReplyTemplate", reply_type.value, ROOT, f"修改{reply_type.value}答复模板"
    )
    await commit(session)
    return template
