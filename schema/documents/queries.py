from __future__ import annotations

import strawberry

from api.services import documents as service
from api.services.domains import get_domain

from ..relay import Connection, connection, decode_id
from .inputs import DocumentFilterInput
from .types import DocumentType


@strawberry.type
class DocumentsQuery:
    @strawberry.field(description="Documents, newest first; the public sees published proactive/partial ones.")
    async def documents(
        self,
        info: strawberry.Info,
        filter: DocumentFilterInput | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[DocumentType]:
        ctx = info.context
        f = filter or DocumentFilterInput()
        org_id = None if f.organization_id is None else decode_id(f.organization_id, "Organization", "organizationId")
        domain_id = None if f.domain_code is None else (await get_domain(ctx.session, f.domain_code)).id
        page = await service.list_documents(ctx.session, ctx.actor, f.to_service(org_id, domain_id), first, after)
        return connection(page.replace(await DocumentType.many(info, page.items, "edges", "node")))

    @strawberry.field(description="A document by its 索引号.")
    async def document(self, info: strawberry.Info, index_no: str) -> DocumentType | None:
        doc = await service.find_by_index_no(info.context.session, info.context.actor, index_no)
        return DocumentType.of(doc) if doc else None

    @strawberry.field(
        description="Policies of the unit's organizations (and those below) whose 解读 is overdue: published, "
        "past interpretationDue (3 working days, tiexi-2016) with no published interpretation; longest overdue first."
    )
    async def overdue_interpretations(
        self, info: strawberry.Info, unit_code: str, first: int | None = None, after: str | None = None
    ) -> Connection[DocumentType]:
        ctx = info.context
        page = await service.overdue_interpretations(ctx.session, ctx.actor, unit_code, first, after)
        return connection(page.replace(await DocumentType.many(info, page.items, "edges", "node")))

    @strawberry.field(description="Documents waiting for a review step the caller may take, oldest first.")
    async def review_queue(
        self, info: strawberry.Info, first: int | None = None, after: str | None = None
    ) -> Connection[DocumentType]:
        page = await service.list_review_queue(info.context.session, info.context.actor, first, after)
        return connection(page.replace(await DocumentType.many(info, page.items, "edges", "node")))
