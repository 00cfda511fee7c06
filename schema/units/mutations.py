from __future__ import annotations

import strawberry

from api.services import units as service

from ..errors import UserError, attempt
from ..relay import decode_id
from .inputs import CreateOrganizationInput, CreateUnitInput, UpdateOrganizationInput, UpdateUnitInput
from .types import OrganizationType, UnitType


@strawberry.type
class UnitPayload:
    unit: UnitType | None
    errors: list[UserError]


@strawberry.type
class OrganizationPayload:
    organization: OrganizationType | None
    errors: list[UserError]


@strawberry.type
class UnitsMutation:
    @strawberry.mutation(description="Create a county, town or village; the level follows from the code.")
    async def create_unit(self, info: strawberry.Info, input: CreateUnitInput) -> UnitPayload:
        ctx = info.context
        unit, errors = await attempt(
            info,
            service.create_unit(
                ctx.session,
                ctx.actor,
                code=input.code,
                name=input.name,
                kind=input.kind,
                parent_code=input.parent_code,
                urban_rural_code=input.urban_rural_code,
            ),
        )
        return UnitPayload(unit=UnitType.of(unit) if unit else None, errors=errors)

    @strawberry.mutation
    async def update_unit(self, info: strawberry.Info, input: UpdateUnitInput) -> UnitPayload:
        ctx = info.context
        unit, errors = await attempt(
            info,
            service.update_unit(
                ctx.session, ctx.actor, code=input.code, version=input.version, name=input.name, kind=input.kind
            ),
        )
        return UnitPayload(unit=UnitType.of(unit) if unit else None, errors=errors)

    @strawberry.mutation
    async def create_organization(self, info: strawberry.Info, input: CreateOrganizationInput) -> OrganizationPayload:
        ctx = info.context
        org, errors = await attempt(
            info,
            service.create_organization(
                ctx.session,
                ctx.actor,
                unit_code=input.unit_code,
                name=input.name,
                kind=input.kind,
                credit_code=input.credit_code,
                short_name=input.short_name,
                profile=input.profile.to_service() if input.profile else None,
                contacts=[c.to_service() for c in input.contacts or []],
            ),
        )
        return OrganizationPayload(organization=OrganizationType.of(org) if org else None, errors=errors)

    @strawberry.mutation
    async def update_organization(self, info: strawberry.Info, input: UpdateOrganizationInput) -> OrganizationPayload:
        ctx = info.context

        async def run() -> service.Organization:
            return await service.update_organization(
                ctx.session,
                ctx.actor,
                organization_id=decode_id(input.id, "Organization", "id"),
                version=input.version,
                name=input.name,
                kind=input.kind,
                credit_code=input.credit_code,
                short_name=input.short_name,
                profile=input.profile.to_service() if input.profile else None,
                contacts=None if input.contacts is None else [c.to_service() for c in input.contacts],
                index_scheme=input.index_scheme,
                notice_scheme=input.notice_scheme,
            )

        org, errors = await attempt(info, run())
        return OrganizationPayload(organization=OrganizationType.of(org) if org else None, errors=errors)
