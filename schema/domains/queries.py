from __future__ import annotations

import strawberry

from api.services import domains as service

from .types import DomainType


@strawberry.type
class DomainsQuery:
    @strawberry.field(description="The 26 domains in the order of the 2021 plan.")
    async def domains(self, info: strawberry.Info) -> list[DomainType]:
        return [DomainType.of(d) for d in await service.list_domains(info.context.session)]

    @strawberry.field(description="A domain by code, name or alias (医疗卫生 finds 卫生健康).")
    async def domain(self, info: strawberry.Info, code: str) -> DomainType | None:
        domain = await service.find_domain(info.context.session, code)
        return DomainType.of(domain) if domain else None
