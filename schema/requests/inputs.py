from __future__ import annotations

from datetime import date

import strawberry

from .types import (
    AppealKind,
    AppealOutcome,
    ApplicantType,
    Channel,
    DeliveryForm,
    FeeMethod,
    ReplyReason,
    ReplyType,
    RequestStatus,
)


@strawberry.input
class InfoRequestInput:
    organization_id: strawberry.ID = strawberry.field(description="The agency the request is addressed to.")
    channel: Channel
    applicant_type: ApplicantType
    applicant_name: str
    description: str = strawberry.field(description="所需政府信息的名称、文号或者便于行政机关查询的其他特征性描述")
    delivery_form: DeliveryForm = DeliveryForm.ELECTRONIC  # type: ignore[assignment]
    id_number: str | None = None
    phone: str | None = None
    address: str = ""
    email: str = ""
    purpose: str = ""
    received_on: date | None = strawberry.field(
        default=None, description="Staff recording a letter (day signed for) or an on-site request (day handed in)."
    )


@strawberry.input
class ReplyInput:
    reply_type: ReplyType
    reason: ReplyReason | None = None
    legal_basis: str = strawberry.field(
        default="", description="Required when anything is refused: the article relied on."
    )
    note: str = ""
    publish_proactively: bool = strawberry.field(default=False, description="Start a proactive document for review.")


@strawberry.input
class CalendarDayInput:
    day: date
    working: bool | None = strawberry.field(
        description="true: a 调休 working day; false: a holiday; null: remove the entry."
    )
    note: str = ""


@strawberry.input
class AppealInput:
    request_id: strawberry.ID
    kind: AppealKind
    outcome: AppealOutcome = AppealOutcome.PENDING  # type: ignore[assignment]
    filed_on: date | None = None
    note: str = ""


@strawberry.input
class InfoRequestFilter:
    unit_code: str | None = None
    organization_id: strawberry.ID | None = None
    status: RequestStatus | None = None
    overdue: bool | None = None
    due_before: date | None = None
    received_from: date | None = None
    received_to: date | None = None


@strawberry.input
class FeeTierInput:
    above: int
    yuan: int


@strawberry.input
class FeeStandardInput:
    method: FeeMethod
    tiers: list[FeeTierInput] = strawberry.field(description="Ascending by `above`; units up to the first are free.")
    step_units: int | None = None
    step_yuan: int = 0
    version: int | None = strawberry.field(
        default=None, description="The version read (0 or null: the office has not set its own yet)."
    )
