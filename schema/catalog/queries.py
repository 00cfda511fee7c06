from __future__ import annotations

import strawberry

from api.services import catalog as service
from api.services.domains import get_domain

from ..relay import Connection, connection, decode_id
from ..units.types import OrganizationType
from .types import CatalogItemType, StaleCatalogItem


@strawberry.type
class CatalogQuery:
    @strawberry.field(description="Catalog items of the county of unitCode, optionally of one domain.")
    async def catalog_items(
        self,
        info: strawberry.Info,
        unit_code: str | None = None,
        domain_code: str | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[CatalogItemType]:
        domain_id = None if domain_code is None else (await get_domain(info.context.session, domain_code)).id
        page = await service.list_items(info.context.session, unit_code, domain_id, first, after)
        return connection(page, CatalogItemType.of)

    @strawberry.field(description="Items whose newest document is older than their update frequency allows.")
    async def stale_catalog_items(
        self, info: strawberry.Info, unit_code: str, organization_id: strawberry.ID | None = None
    ) -> list[StaleCatalogItem]:
        org = None if organization_id is None else decode_id(organization_id, "Organization", "organizationId")
        rows = await service.stale_items(info.context.session, unit_code=unit_code, organization_id=org)
        orgs = await info.context.loaders.units.organization.load_many([r.organization_id for r in rows])
        return [
            StaleCatalogItem(
                item=CatalogItemType.of(r.item),
                organization=OrganizationType.of(o),
                last_published_at=r.last_published_at,
                due_since=r.due_since,
            )  # fmt: skip
            for r, o in zip(rows, orgs, strict=True)
        ]
