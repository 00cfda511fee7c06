"""Submission (收到申请) and the applicant's own status query with the tracking code and password."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api import clock
from api.auth.actor import Actor, is_device
from api.auth.passwords import hash_password, verify_password
from api.codes import RequestsCode
from api.db import commit
from api.errors import UserInputError
from api.models import (
    ApplicantType,
    Channel,
    DeliveryForm,
    EventKind,
    InfoRequest,
    RequestStatus,
)
from api.privacy import Vault, mask, mask_address, mask_email, mask_phone

from .. import audit
from .common import _event, _org_path, overrides, today

STAFF_CHANNELS = (Channel.LETTER, Channel.ONSITE, Channel.FAX, Channel.EMAIL)
REGULATIONS_IN_FORCE = date(2008, 5, 1)  # 《政府信息公开条例》 in force: no request was received before


TRACKING_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
MAX_ADDRESS, MAX_EMAIL = 300, 200  # sealed, so the database no longer bounds them
CONTACT_LABELS = {"address": "通信地址", "email": "电子邮箱"}


@dataclass
class Submission:
    channel: Channel
    applicant_type: ApplicantType
    applicant_name: str
    description: str
    organization_id: int
    delivery_form: DeliveryForm = DeliveryForm.ELECTRONIC
    id_number: str | None = None
    phone: str | None = None
    address: str = ""
    email: str = ""
    purpose: str = ""
    received_on: date | None = None


def _tracking_code() -> str:
    return "YS" + "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(10))


async def submit(session: AsyncSession, actor: Actor, vault: Vault, s: Submission) -> tuple[InfoRequest, str]:
    """Returns the request and the query password, which is shown to the applicant once."""
    org, path = await _org_path(session, s.organization_id, "organizationId")
    now_day = today()
    if s.channel is Channel.KIOSK and not is_device(actor.grants):
        raise UserInputError(
            "channel", RequestsCode.INVALID_CHANNEL, "KIOSK 渠道只能由政务公开专区的终端提交；网上申请请选择 ONLINE"
        )
    if s.channel in STAFF_CHANNELS:
        # Letters, faxes, e-mails and on-site requests are recorded by the office that received them.
        actor.require("request", "record", path)
        received_on = s.received_on or now_day
        if received_on > now_day:
            raise UserInputError("receivedOn", RequestsCode.IN_FUTURE, "收到申请的日期不能晚于今天")
        if received_on < REGULATIONS_IN_FORCE:
            raise UserInputError(
                "receivedOn",
                RequestsCode.BEFORE_START,
                "收到申请的日期不能早于2008年5月1日（《政府信息公开条例》施行之日）",
            )
    else:
        received_on = now_day  # Art. 31: online requests are received the day receipt is confirmed: now.
    if not (s.applicant_name or "").strip():
        raise UserInputError("applicantName", RequestsCode.REQUIRED, "请填写申请人姓名或名称")
    if not (s.description or "").strip():
        raise UserInputError("description", RequestsCode.REQUIRED, "请描述所需政府信息的名称、文号或便于查询的其他特征")
    if s.applicant_type is ApplicantType.NATURAL_PERSON and not (s.id_number or "").strip():
        raise UserInputError("idNumber", RequestsCode.REQUIRED, "公民申请须填写身份证件号码")
    if not ((s.phone or "").strip() or s.email.strip() or s.address.strip()):
        raise UserInputError("phone", RequestsCode.REQUIRED, "请至少留下一种联系方式（电话、邮箱或通信地址）")
    address, email = s.address.strip() or None, s.email.strip() or None
    for field, value, limit in (("address", address, MAX_ADDRESS), ("email", email, MAX_EMAIL)):
        if value is not None and len(value) > limit:
            raise UserInputError(field, RequestsCode.TOO_LONG, f"{CONTACT_LABELS[field]}不能超过{limit}个字")
    password = secrets.token_urlsafe(9)
    id_number = (s.id_number or "").strip().upper() or None
    phone = (s.phone or "").strip() or None
    ovr = await overrides(session)
    due = clock.reply_due(received_on, 0, [], now_day, ovr)
    request = InfoRequest(
        tracking_code=_tracking_code(), password_hash=await hash_password(session, password), channel=s.channel,
        applicant_type=s.applicant_type, applicant_name=s.applicant_name.strip(),
        id_number_enc=vault.seal(id_number), id_number_hint=mask(id_number),
        phone_enc=vault.seal(phone), phone_hint=mask_phone(phone), address_enc=vault.seal(address),
        address_hint=mask_address(address), email_enc=vault.seal(email), email_hint=mask_email(email),
        description=s.description.strip(), purpose=s.purpose.strip(), delivery_form=s.delivery_form,
        receiving_org_id=org.id, handling_org_id=org.id, scope_path=path, status=RequestStatus.RECEIVED,
        received_on=received_on, clock_start=received_on, due_on=due.on, due_provisional=due.provisional,
    )  # fmt: skip
    session.add(request)
    await session.flush()
    _event(session, actor, request, EventKind.RECEIVED, received_on, f"{s.channel.value} 签收")
    audit.record(
        session, actor, "request.submit", "InfoRequest", request.id, path, f"收到依申请公开 {request.tracking_code}"
    )
    await commit(session)
    return request, password


async def status_for_applicant(session: AsyncSession, tracking_code: str, password: str) -> InfoRequest | None:
    """The applicant's own request, or None: a wrong code and a wrong password look the same."""
    stmt = select(InfoRequest).where(InfoRequest.tracking_code == (tracking_code or "").strip().upper())
    request = (await session.execute(stmt)).scalar_one_or_none()
    if not await verify_password(session, request.password_hash if request else None, password or ""):
        return None
    return request
