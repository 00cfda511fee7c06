"""Notices as documents: 补正告知书 (Art. 30), 延期答复告知书 (Art. 33), 征求第三方意见函 (Art. 32),
收费通知 (Art. 42) and the 答复书 (Art. 36), each issued in the transaction of its step and kept as
issued: a 文号 from the organization's scheme, the text from the district office's template for the
kind (placeholders filled from the request), Chinese dates, the article it rests on, and the remedies
where it decides something (the fee, the reply). Downloadable as docx or Markdown.
"""

from __future__ import annotations

import base64
import io
import re
import string
from collections.abc import Mapping, Sequence
from datetime import date

from docx import Document as Docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.actor import Actor
from api.auth.scope import ROOT
from api.codes import RequestsCode
from api.db import commit
from api.errors import Conflict, UserInputError
from api.models import InfoRequest, NoticeCounter, NoticeKind, NoticeTemplate, Organization, RequestNotice

from .. import audit
from ..pages import grouped
from ..reports.export import MARKDOWN, ExportFile, exporter, render, require_param
from ..serials import next_serial
from .common import chinese_date

TITLES = {
    NoticeKind.CORRECTION: "政府信息公开申请补正告知书", NoticeKind.EXTENSION: "政府信息公开申请延期答复告知书",
    NoticeKind.THIRD_PARTY: "政府信息公开征求第三方意见函", NoticeKind.FEE: "政府信息公开信息处理费收费通知",
    NoticeKind.REPLY: "政府信息公开申请答复书",
}  # fmt: skip
KIND_CODES = {
    NoticeKind.CORRECTION: "补", NoticeKind.EXTENSION: "延", NoticeKind.THIRD_PARTY: "征", NoticeKind.FEE: "费",
    NoticeKind.REPLY: "答",
}  # fmt: skip
DEFAULT_SCHEME = "{org}依申{kind}〔{year}〕{serial}号"
SCHEME_FIELDS = ("org", "kind", "year", "serial")
MAX_SCHEME = 60

REMEDIES = (
    "如对本决定不服，可以自收到本通知之日起60日内依法申请行政复议，"
    "或者自收到本通知之日起6个月内依法向人民法院提起行政诉讼。"
)
COMMON = "{applicant_name} {tracking_code} {received_on} {description} {organization} {issued_on} {doc_no}"
# The placeholders each kind's template may use (besides COMMON); those in REQUIRED must appear.
FIELDS = {
    NoticeKind.CORRECTION: "{items} {correct_by}",
    NoticeKind.EXTENSION: "{reason} {days} {due_on}",
    NoticeKind.THIRD_PARTY: "{addressee} {note} {opinion_by}",
    NoticeKind.FEE: "{method} {basis} {amount} {pay_by} {remedies}",
    NoticeKind.REPLY: "{letter}",
}
REQUIRED = {
    NoticeKind.CORRECTION: ("{items}", "{correct_by}"),
    NoticeKind.EXTENSION: ("{due_on}",),
    NoticeKind.THIRD_PARTY: ("{opinion_by}",),
    NoticeKind.FEE: ("{amount}", "{pay_by}", "{remedies}"),
    NoticeKind.REPLY: ("{letter}",),
}

DEFAULT_TEMPLATES = {
    NoticeKind.CORRECTION: "{applicant_name}：\n本机关于{received_on}收到您提出的政府信息公开申请（{tracking_code}），"
    "申请内容为：{description}。经审查，申请内容不够明确，请补正以下事项：\n{items}\n"
    "请于{correct_by}前提交补正后的申请，答复期限自本机关收到补正后的申请之日起计算；"
    "无正当理由逾期不补正的，视为放弃申请，本机关不再处理该政府信息公开申请。\n"
    "依据：《中华人民共和国政府信息公开条例》第三十条。\n{organization}\n{issued_on}",
    NoticeKind.EXTENSION: "{applicant_name}：\n本机关于{received_on}收到您提出的政府信息公开申请（{tracking_code}）。"
    "因{reason}，不能在规定期限内答复，经本机关政府信息公开工作机构负责人同意，答复期限延长{days}个工作日，"
    "本机关将于{due_on}前作出答复。\n依据：《中华人民共和国政府信息公开条例》第三十三条第二款。\n"
    "{organization}\n{issued_on}",
    NoticeKind.THIRD_PARTY: "{addressee}：\n本机关收到一件政府信息公开申请（{tracking_code}），申请公开的信息可能涉及"
    "贵方合法权益：{description}。{note}\n请于{opinion_by}前书面提出是否同意公开的意见及理由；"
    "逾期未提出意见的，由本机关依照条例的规定决定是否公开。\n"
    "依据：《中华人民共和国政府信息公开条例》第三十二条。\n{organization}\n{issued_on}",
    NoticeKind.FEE: "{applicant_name}：\n本机关于{received_on}收到您提出的政府信息公开申请（{tracking_code}）。"
    "您申请公开政府信息的数量、频次明显超过合理范围，本机关{method}收取信息处理费：{basis}，共计{amount}元。\n"
    "请于{pay_by}前缴纳。自本通知发出之日起至缴费之日止，不计算在答复期限内；逾期未缴纳的，视为放弃申请，"
    "本机关不再处理该政府信息公开申请。\n依据：《中华人民共和国政府信息公开条例》第四十二条，"
    "《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）。\n{remedies}\n{organization}\n{issued_on}",
    NoticeKind.REPLY: "{letter}",
}  # fmt: skip


class _Blank(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return ""


def format_doc_no(scheme: str | None, org: Organization, kind: NoticeKind, year: int, serial: int) -> str:
    short = (org.short_name or org.name).strip()
    return (scheme or DEFAULT_SCHEME).format(org=short, kind=KIND_CODES[kind], year=year, serial=serial)


def check_notice_scheme(scheme: str, field: str = "noticeScheme") -> str:
    """A 文号 scheme: at most 60 characters with {year} and {serial}; placeholders {org} {kind}
    {year} {serial} only."""
    scheme = scheme.strip()
    if len(scheme) > MAX_SCHEME or "{year}" not in scheme or "{serial}" not in scheme:
        raise UserInputError(
            field, RequestsCode.INVALID_TEMPLATE,
            f"文号格式须包含 {{year}} 和 {{serial}}，不超过{MAX_SCHEME}字，如 {DEFAULT_SCHEME}",
        )  # fmt: skip
    try:
        scheme.format(org="", kind="", year=2026, serial=1)
    except (KeyError, ValueError, IndexError) as exc:
        raise UserInputError(
            field, RequestsCode.INVALID_TEMPLATE, "文号格式只能使用 {org} {kind} {year} {serial} 占位符"
        ) from exc
    return scheme


async def _template(session: AsyncSession, kind: NoticeKind) -> str:
    saved = (await session.execute(select(NoticeTemplate).where(NoticeTemplate.kind == kind))).scalar_one_or_none()
    return saved.body if saved else DEFAULT_TEMPLATES[kind]


async def issue(
    session: AsyncSession, actor: Actor, r: InfoRequest, kind: NoticeKind, on: date, values: Mapping[str, str],
    addressee: str | None = None,
) -> RequestNotice:  # fmt: skip
    """The notice of a step, numbered and worded now, in the step's transaction."""
    org = await session.get(Organization, r.handling_org_id)
    assert org is not None
    serial = await next_serial(session, NoticeCounter, org.id, on.year)
    doc_no = format_doc_no(org.notice_scheme, org, kind, on.year, serial)
    filled = {
        "applicant_name": r.applicant_name, "tracking_code": r.tracking_code,
        "received_on": chinese_date(r.received_on), "description": r.description, "organization": org.name,
        "issued_on": chinese_date(on), "doc_no": doc_no, "remedies": REMEDIES, **values,
    }  # fmt: skip
    body = (await _template(session, kind)).format_map(_Blank(filled))
    notice = RequestNotice(
        request_id=r.id, kind=kind, doc_no=doc_no, issued_on=on, addressee=addressee or r.applicant_name,
        body=body, issued_by_id=actor.user_id,
    )  # fmt: skip
    session.add(notice)
    return notice


def text_of(notice: RequestNotice) -> str:
    """The notice as sent: title, 文号, body."""
    return f"{TITLES[notice.kind]}\n{notice.doc_no}\n\n{notice.body}"


async def notices_of_requests(session: AsyncSession, actor: Actor, ids: Sequence[int]) -> list[list[RequestNotice]]:
    """Each request's notices, oldest first: those of requests the actor may read."""
    stmt = (
        select(RequestNotice)
        .join(InfoRequest, InfoRequest.id == RequestNotice.request_id)
        .where(RequestNotice.request_id.in_(ids), actor.visible(InfoRequest.scope_path, "request", "read"))
        .order_by(RequestNotice.id)
    )
    return await grouped(session, stmt, "request_id", ids)


async def notices_for_applicant(session: AsyncSession, r: InfoRequest) -> Sequence[RequestNotice]:
    """What the applicant was sent (not the letters to third parties), for the request the
    applicant opened with its code and password (``intake.status_for_applicant``)."""
    stmt = (
        select(RequestNotice)
        .where(RequestNotice.request_id == r.id, RequestNotice.kind != NoticeKind.THIRD_PARTY)
        .order_by(RequestNotice.id)
    )
    return (await session.execute(stmt)).scalars().all()


async def notice_for_download(session: AsyncSession, actor: Actor, notice_id: int) -> RequestNotice:
    stmt = (
        select(RequestNotice)
        .join(InfoRequest, InfoRequest.id == RequestNotice.request_id)
        .where(RequestNotice.id == notice_id, actor.visible(InfoRequest.scope_path, "request", "read"))
    )
    notice = (await session.execute(stmt)).scalar_one_or_none()
    if notice is None:
        raise UserInputError("id", RequestsCode.NOT_FOUND, "找不到该告知书")
    return notice


async def notice_templates(session: AsyncSession, actor: Actor) -> list[tuple[NoticeKind, str, int]]:
    """(kind, text, version) per kind: the office's, or the default (version 0). For those who
    read requests somewhere (the texts are the office's working material, not published)."""
    if not actor.visible_paths("request", "read"):
        actor.require("request", "read", ROOT)  # refuses: UNAUTHENTICATED or FORBIDDEN
    saved = {t.kind: t for t in (await session.execute(select(NoticeTemplate))).scalars()}
    return [(k, saved[k].body, saved[k].version) if k in saved else (k, DEFAULT_TEMPLATES[k], 0) for k in NoticeKind]


async def save_notice_template(
    session: AsyncSession, actor: Actor, *, kind: NoticeKind, body: str, version: int
) -> NoticeTemplate:
    """The district office's text for a kind of notice (one text serves every county: a grant at
    ``*``, as the reply templates)."""
    actor.require("reply_template", "manage", ROOT)
    body = (body or "").strip()
    if not body:
        raise UserInputError("body", RequestsCode.REQUIRED, "模板内容不能为空")
    allowed = set((COMMON + " " + FIELDS[kind] + " {remedies}").replace("{", "").replace("}", "").split())
    try:
        used = {name for _, name, _, _ in string.Formatter().parse(body) if name is not None}
    except ValueError as exc:
        raise UserInputError("body", RequestsCode.INVALID_TEMPLATE, "模板中的花括号占位符写法不正确") from exc
    unknown = sorted(used - allowed)
    if unknown:
        raise UserInputError(
            "body", RequestsCode.INVALID_TEMPLATE,
            f"模板中没有这些占位符：{'、'.join('{' + u + '}' for u in unknown)}；可用：{COMMON} {FIELDS[kind]}",
        )  # fmt: skip
    missing = [p for p in REQUIRED[kind] if p not in body]
    if missing:
        code = RequestsCode.REMEDIES_REQUIRED if "{remedies}" in missing else RequestsCode.INVALID_TEMPLATE
        raise UserInputError("body", code, f"该告知书模板须包含：{'、'.join(missing)}")
    template = (await session.execute(select(NoticeTemplate).where(NoticeTemplate.kind == kind))).scalar_one_or_none()
    if (template.version if template else 0) != version:
        raise Conflict()
    if template is None:
        template = NoticeTemplate(kind=kind, body=body)
        session.add(template)
    template.body = body
    audit.record(
        session, actor, "request.notice_template", "NoticeTemplate", kind.value, ROOT, f"修改{TITLES[kind]}模板"
    )
    await commit(session)
    return template


# --- the file ---

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SIGNATURE = re.compile(r"^\d{4}年\d{1,2}月\d{1,2}日$")


def _docx(title: str, doc_no: str, body: str) -> bytes:
    """A Word file laid out as the paper notice: the title, the 文号, the body; the issuing
    organization and the date at the right."""
    document = Docx()
    normal = document.styles["Normal"]
    normal.font.size = Pt(14)  # type: ignore[attr-defined]
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "仿宋")  # type: ignore[attr-defined]
    heading = document.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = heading.add_run(title)
    run.bold, run.font.size = True, Pt(20)
    document.add_paragraph(doc_no).alignment = WD_ALIGN_PARAGRAPH.CENTER
    lines = [_NOT_XML.sub("", line) for line in body.split("\n")]
    signed = len(lines) >= 2 and bool(_SIGNATURE.match(lines[-1].strip()))
    for i, line in enumerate(lines):
        paragraph = document.add_paragraph(line)
        if signed and i >= len(lines) - 2:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@exporter("request-notice", ("docx", "md"))
async def export_notice(session: AsyncSession, actor: Actor, params: Mapping[str, str], fmt: str) -> ExportFile:
    raw = require_param(params, "id")
    notice = await notice_for_download(session, actor, _notice_pk(raw))
    name = f"{TITLES[notice.kind]}-{notice.doc_no}"
    if fmt == "md":
        text = f"# {TITLES[notice.kind]}\n\n{notice.doc_no}\n\n" + "\n\n".join(notice.body.split("\n")) + "\n"
        return ExportFile(f"{name}.md", text.encode("utf-8"), MARKDOWN)
    return ExportFile(f"{name}.docx", await render(_docx, TITLES[notice.kind], notice.doc_no, notice.body), DOCX)


def _notice_pk(raw: str) -> int:
    """The notice's global id (InfoRequestNotice:n, base64) as its list gives it."""
    try:
        kind, pk = base64.b64decode(raw, validate=True).decode().split(":", 1)
        if kind == NODE:
            return int(pk)
    except (ValueError, UnicodeDecodeError):
        pass
    raise UserInputError("id", RequestsCode.NOT_FOUND, "找不到该告知书")


NODE = "InfoRequestNotice"
