from __future__ import annotations

from datetime import datetime

import strawberry

from api.models import AuditEntry


@strawberry.type(name="AuditEntry", description="One mutation, as the audit log recorded it.")
class AuditEntryType:
    id: strawberry.ID
    actor_name: str
    action: str
    target_type: str
    target_id: str | None
    scope_path: str
    summary: str
    client_addr: str | None
    created_at: datetime

    @classmethod
    def of(cls, e: AuditEntry) -> AuditEntryType:
        return cls(
            id=strawberry.ID(str(e.id)),
            actor_name=e.actor_name,
            action=e.action,
            target_type=e.target_type,
            target_id=e.target_id,
            scope_path=e.scope_path,
            summary=e.summary,
            client_addr=e.client_addr,
            created_at=e.created_at,
        )
