from __future__ import annotations

import strawberry

from api.services import domains as service

from ..errors import UserError, attempt
from ..relay import decode_id
from .types import DomainAssignmentType


@strawberry.type
class AssignDomainPayload:
    assignment: DomainAssignmentType | None
    errors: list[UserError]


@strawberry.type
class DomainsMutation:
    @strawberry.mutation(description="Make an organization responsible for a domain in its county.")
    async def assign_domain(
        self, info: strawberry.Info, domain_code: str, unit_code: str, organization_id: strawberry.ID
    ) -> AssignDomainPayload:
        ctx = info.context

        async def run() -> service.DomainAssignment:
            return await service.assign_domain(
                ctx.session,
                ctx.actor,
                domain_code=domain_code,
                unit_code=unit_code,
                organization_id=decode_id(organization_id, "Organization", "organizationId"),
            )

        assignment, errors = await attempt(info, run())
        return AssignDomainPayload(
            assignment=DomainAssignmentType.of(assignment) if assignment else None, errors=errors
        )
