from __future__ import annotations

import strawberry

from api.services import columns as service

from ..relay import decode_id
from .types import PlatformColumnType


@strawberry.type
class ColumnsQuery:
    @strawberry.field(
        description="The standard columns of the 政府信息公开 platform (国办公开办函〔2019〕61号) of a unit's "
        "organizations, or of one of them (organizationId, an organization of that unit). Public: each column's "
        "documents are those the caller may read."
    )
    async def platform_columns(
        self, info: strawberry.Info, unit_code: str, organization_id: strawberry.ID | None = None
    ) -> list[PlatformColumnType]:
        ctx = info.context
        org_id = None if organization_id is None else decode_id(organization_id, "Organization", "organizationId")
        scope = await service.resolve_scope(ctx.session, ctx.actor, unit_code, org_id)
        return [PlatformColumnType.of(spec, scope) for spec in service.COLUMNS]

    @strawberry.field(
        description="One column of the platform by its code (PlatformColumn.code), to page its documents."
    )
    async def platform_column(
        self, info: strawberry.Info, unit_code: str, code: str, organization_id: strawberry.ID | None = None
    ) -> PlatformColumnType:
        ctx = info.context
        org_id = None if organization_id is None else decode_id(organization_id, "Organization", "organizationId")
        scope = await service.resolve_scope(ctx.session, ctx.actor, unit_code, org_id)
        return PlatformColumnType.of(service.get_column(code), scope)
