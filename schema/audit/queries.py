from __future__ import annotations

import strawberry

from api.services import audit as service

from ..relay import Connection, connection
from .types import AuditEntryType


@strawberry.type
class AuditQuery:
    @strawberry.field(description="Newest first; district_office and auditor see entries under their grants.")
    async def audit_log(
        self, info: strawberry.Info, first: int | None = None, after: str | None = None
    ) -> Connection[AuditEntryType]:
        page = await service.list_entries(info.context.session, info.context.actor, first, after)
        return connection(page, AuditEntryType.of)
