from __future__ import annotations

import strawberry

from api.services import screening as service

from .types import SensitiveWordListType


@strawberry.type
class ScreeningQuery:
    @strawberry.field(description="The county's sensitive-word list (staff of the county).")
    async def sensitive_words(self, info: strawberry.Info, unit_code: str) -> SensitiveWordListType:
        ctx = info.context
        return SensitiveWordListType.of(await service.word_list(ctx.session, ctx.actor, unit_code))
