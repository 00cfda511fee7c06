from __future__ import annotations

import strawberry

from api.services import search as service

from ..errors import UserError, attempt
from .types import SearchSynonymsType


@strawberry.type
class SearchSynonymsPayload:
    synonyms: SearchSynonymsType | None
    errors: list[UserError]


@strawberry.type
class SearchMutation:
    @strawberry.mutation(
        description="Replace the synonym groups (district office at *): a query holding one term of a group "
        "finds documents with any term of it."
    )
    async def set_search_synonyms(
        self, info: strawberry.Info, groups: list[list[str]], version: int
    ) -> SearchSynonymsPayload:
        ctx = info.context
        saved, errors = await attempt(info, service.set_synonyms(ctx.session, ctx.actor, groups, version))
        return SearchSynonymsPayload(
            synonyms=SearchSynonymsType(groups=saved.groups, version=saved.version) if saved else None, errors=errors
        )
