from __future__ import annotations

from typing import Annotated

import strawberry

from api.services import search as service
from api.services.domains import get_domain

from ..documents.types import DocumentKind, DocumentType
from ..micropower.types import VillagePowerItemType
from ..relay import Connection, connection
from ..units.types import OrganizationType

LocalItem = Annotated[
    DocumentType | VillagePowerItemType,
    strawberry.union("LocalItem", description="A document, or an entry of the village's micro-power list."),
]


@strawberry.input
class LocalItemsFilter:
    kind: DocumentKind | None = None
    domain_code: str | None = None
    include_power_list: bool = True


@strawberry.type
class LocalQuery:
    @strawberry.field(
        description="What applies to a place, newest first: public documents of its organizations and its "
        "ancestors' (a village sees village, town and county items), and a village's micro-power list."
    )
    async def local_items(
        self,
        info: strawberry.Info,
        unit_code: str,
        first: int | None = None,
        after: str | None = None,
        filter: LocalItemsFilter | None = None,
    ) -> Connection[LocalItem]:
        ctx = info.context
        f = filter or LocalItemsFilter()
        domain_id = None if f.domain_code is None else (await get_domain(ctx.session, f.domain_code)).id
        page = await service.list_local_items(
            ctx.session,
            ctx.actor,
            unit_code,
            service.LocalFilter(f.kind, domain_id, f.include_power_list),
            first,
            after,
        )
        rows = page.items
        doc_ids = [r.id for r in rows if r.kind == service.DOCUMENT]
        item_ids = [r.id for r in rows if r.kind == service.POWER_ITEM]
        found = [d for d in await ctx.loaders.documents.document.load_many(doc_ids) if d]
        docs = {d.pk: d for d in await DocumentType.many(info, found, "edges", "node")}
        items = await ctx.loaders.micropower.village_item.load_many(item_ids)
        built = {b.pk: b for b in await VillagePowerItemType.build(info, [i for i in items if i])}
        nodes: list[DocumentType | VillagePowerItemType] = [
            docs[r.id] if r.kind == service.DOCUMENT else built[r.id] for r in rows
        ]
        return connection(page.replace(nodes))

    @strawberry.field(description="Organizations serving a place, with their public profiles: its own first.")
    async def unit_directory(self, info: strawberry.Info, unit_code: str) -> list[OrganizationType]:
        ctx = info.context
        return [OrganizationType.of(o) for o in await service.directory(ctx.session, ctx.actor, unit_code)]
