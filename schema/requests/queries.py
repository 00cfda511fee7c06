from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry

from api.auth.scope import unit_path
from api.services import requests as service

from ..relay import Connection, connection, decode_id
from .inputs import InfoRequestFilter
from .types import (
    FeeStandardType,
    InfoRequestRegisterRowType,
    InfoRequestStatusType,
    InfoRequestType,
    NoticeTemplateType,
    RequestRulesType,
)


@strawberry.type
class RequestsQuery:
    @strawberry.field(description="For the applicant: status, due date and reply; null for a wrong code or password.")
    async def info_request_status(
        self, info: strawberry.Info, tracking_code: str, password: str
    ) -> InfoRequestStatusType | None:
        request = await service.status_for_applicant(info.context.session, tracking_code, password)
        return InfoRequestStatusType.of(request) if request else None

    @strawberry.field(description="The office's fee standards (public, as 国办函〔2020〕109号 asks).")
    async def fee_standards(self, info: strawberry.Info) -> list[FeeStandardType]:
        ctx = info.context
        return [FeeStandardType.of(f) for f in await service.fee_standards(ctx.session, ctx.actor)]

    @strawberry.field(description="The notices' texts per kind, the office's or the default (staff).")
    async def notice_templates(self, info: strawberry.Info) -> list[NoticeTemplateType]:
        ctx = info.context
        return [NoticeTemplateType.of(k, b, v) for k, b, v in await service.notice_templates(ctx.session, ctx.actor)]

    @strawberry.field(description="The office's own rules for requests (public: applicants are told them).")
    async def request_rules(self, info: strawberry.Info) -> RequestRulesType:
        rules = await service.request_rules(info.context.session)
        return RequestRulesType(correction_working_days=rules.correction_working_days, version=rules.version)

    @strawberry.field(
        description="The register (台账) of requests received from `from` to `to` (at most 366 days) by the unit's "
        "organizations and those below, oldest first; export: GET /exports/request-register?unitCode=&from=&to=."
    )
    async def info_request_register(
        self, info: strawberry.Info, unit_code: str, from_: Annotated[date, strawberry.argument(name="from")], to: date
    ) -> list[InfoRequestRegisterRowType]:
        ctx = info.context
        rows = await service.request_register(
            ctx.session, ctx.actor, unit_code=unit_code, start=from_, end=to, max_rows=service.REGISTER_QUERY_ROWS
        )
        return [InfoRequestRegisterRowType.of(r) for r in rows]

    @strawberry.field(description="Requests the caller may see, soonest due first.")
    async def info_requests(
        self,
        info: strawberry.Info,
        filter: InfoRequestFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[InfoRequestType]:
        f = filter or InfoRequestFilter()
        page = await service.list_requests(
            info.context.session,
            info.context.actor,
            service.RequestFilter(
                unit_path=unit_path(f.unit_code) if f.unit_code else None,
                organization_id=None if f.organization_id is None else decode_id(f.organization_id, "Organization", "organizationId"),
                status=f.status, overdue=f.overdue, due_before=f.due_before, received_from=f.received_from,
                received_to=f.received_to,
            ),
            first,
            after,
        )  # fmt: skip
        return connection(page, InfoRequestType.of)

    @strawberry.field
    async def info_request(self, info: strawberry.Info, id: strawberry.ID) -> InfoRequestType | None:
        rows = await InfoRequestType.read(info, [decode_id(id, "InfoRequest", "id")])
        return rows[0]
