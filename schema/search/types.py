from __future__ import annotations

import strawberry

from api.services.search import Hit

from ..documents.types import DocumentType
from ..relay import Connection


@strawberry.type(name="SearchHit", description="A document that matches a search, with where it matches.")
class SearchHit:
    document: DocumentType
    snippet: str = strawberry.field(
        description="About 60 characters around the first match, HTML-escaped, matches wrapped in <mark>…</mark>."
    )
    rank: float = strawberry.field(description="Relevance; higher is better. Comparable within one search only.")

    @classmethod
    def of(cls, hit: Hit, document: DocumentType) -> SearchHit:
        return cls(document=document, snippet=hit.snippet, rank=hit.rank)


@strawberry.type(name="SearchResultConnection", description="A page of search hits, best first.")
class SearchResultConnection(Connection[SearchHit]):
    pass


@strawberry.type(name="SearchSynonyms", description="The district office's synonym groups (低保 = 最低生活保障).")
class SearchSynonymsType:
    groups: list[list[str]]
    version: int = strawberry.field(description="0: none set yet.")
