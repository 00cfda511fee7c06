from __future__ import annotations

import strawberry

from api.services.search import SEARCH_COUNT_LIMIT, Hit

from ..documents.types import DocumentType
from ..relay import Connection


@strawberry.type(name="SearchHit", description="A document that matches a search, with where it matches.")
class SearchHit:
    document: DocumentType
    snippet: str = strawberry.field(
        description="About 60 characters around the first match, HTML-escaped, matches wrapped in <mark>…</mark>."
    )
    rank: float = strawberry.field(
        description="1 when every word of the query is in the title or summary, 0 when only in the text; "
        "hits come by rank, then newest first."
    )

    @classmethod
    def of(cls, hit: Hit, document: DocumentType) -> SearchHit:
        return cls(document=document, snippet=hit.snippet, rank=hit.rank)


@strawberry.type(name="SearchResultConnection", description="A page of search hits, best first.")
class SearchResultConnection(Connection[SearchHit]):
    @strawberry.field(
        description=f"How many documents match, counted up to {SEARCH_COUNT_LIMIT:,}: {SEARCH_COUNT_LIMIT:,} "
        "with totalCountExact false means that many or more. Counted only when asked for."
    )
    async def total_count(self) -> int:
        return (await self._page.count()).value

    @strawberry.field(
        description=f"False when more than {SEARCH_COUNT_LIMIT:,} documents match (totalCount is the bound)."
    )
    async def total_count_exact(self) -> bool:
        return (await self._page.count()).exact


@strawberry.type(name="SearchSynonyms", description="The district office's synonym groups (低保 = 最低生活保障).")
class SearchSynonymsType:
    groups: list[list[str]]
    version: int = strawberry.field(description="0: none set yet.")
