from __future__ import annotations

import strawberry

from api.services import commitments as service

from ..relay import Connection, connection, decode_id
from .types import CommitmentStatus, CommitmentType


@strawberry.type
class CommitmentsQuery:
    @strawberry.field(
        description="Public commitments made to the unit's people and to those of the units below it, newest "
        "year first; `status` filters by the derived status (the same rule as the field)."
    )
    async def commitments(
        self,
        info: strawberry.Info,
        unit_code: str,
        year: int | None = None,
        status: CommitmentStatus | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[CommitmentType]:
        ctx = info.context
        page = await service.list_commitments(
            ctx.session,
            ctx.actor,
            service.CommitmentFilter(unit_code=unit_code, year=year, status=status),
            first,
            after,
        )
        return connection(page, CommitmentType.of)

    @strawberry.field(description="A commitment by its id; null when there is none.")
    async def commitment(self, info: strawberry.Info, id: strawberry.ID) -> CommitmentType | None:
        return (await CommitmentType.read(info, [decode_id(id, "Commitment", "id")]))[0]
